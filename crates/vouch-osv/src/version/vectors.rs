//! Every ordering vector in `shared/osv/version-vectors/` (osv-scalibr's ground truth,
//! generated with each ecosystem's own library where the file says `-generated`).

use std::cmp::Ordering;

use super::Scheme;

fn check(file: &str, scheme: Scheme) {
    let path = vouch_testkit::shared_path(&format!("osv/version-vectors/{file}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut failures = Vec::new();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
            continue;
        }
        let parts: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = parts[..] else {
            panic!("{file}:{}: malformed vector `{line}`", n + 1);
        };
        let want = match op {
            "<" => Ordering::Less,
            ">" => Ordering::Greater,
            "=" => Ordering::Equal,
            _ => panic!("{file}:{}: unknown operator `{op}`", n + 1),
        };
        checked += 1;
        let va = scheme.parse(a);
        let vb = scheme.parse(b);
        match (va, vb) {
            (Ok(va), Ok(vb)) => {
                let got = va.cmp(&vb);
                if got != want {
                    failures.push(format!("{}: {a} {op} {b} (got {got:?})", n + 1));
                }
                // Antisymmetry: the reverse comparison must agree.
                if vb.cmp(&va) != want.reverse() {
                    failures.push(format!("{}: {b} vs {a} is not antisymmetric", n + 1));
                }
            }
            (ra, rb) => failures.push(format!(
                "{}: {a} {op} {b}: parse failed ({:?} / {:?})",
                n + 1,
                ra.err(),
                rb.err()
            )),
        }
    }
    assert!(checked > 0, "{file}: no vectors read");
    assert!(
        failures.is_empty(),
        "{file}: {} of {checked} vectors fail:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

macro_rules! vectors {
    ($($name:ident: $file:literal => $scheme:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($file, $scheme);
            }
        )*

        /// A new vector file in `shared` must get a test here.
        #[test]
        fn every_vector_file_is_tested() {
            let dir = vouch_testkit::shared_path("osv/version-vectors");
            let tested = [$($file),*];
            for entry in std::fs::read_dir(dir).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                if std::path::Path::new(&name).extension().is_some_and(|e| e == "txt") {
                    assert!(tested.contains(&name.as_str()), "vector file {name} has no test");
                }
            }
        }
    };
}

vectors! {
    alpine_generated: "alpine-versions-generated.txt" => Scheme::Alpine;
    alpine: "alpine-versions.txt" => Scheme::Alpine;
    cran_generated: "cran-versions-generated.txt" => Scheme::Cran;
    cran: "cran-versions.txt" => Scheme::Cran;
    debian_generated: "debian-versions-generated.txt" => Scheme::Debian;
    debian: "debian-versions.txt" => Scheme::Debian;
    hackage: "hackage-versions.txt" => Scheme::Hackage;
    maven_generated: "maven-versions-generated.txt" => Scheme::Maven;
    maven: "maven-versions.txt" => Scheme::Maven;
    nuget: "nuget-versions.txt" => Scheme::NuGet;
    packagist_generated: "packagist-versions-generated.txt" => Scheme::Packagist;
    packagist: "packagist-versions.txt" => Scheme::Packagist;
    pub_: "pub-versions.txt" => Scheme::Pub;
    pypi_generated: "pypi-versions-generated.txt" => Scheme::Pep440;
    pypi: "pypi-versions.txt" => Scheme::Pep440;
    redhat: "redhat-versions.txt" => Scheme::Rpm;
    rubygems_generated: "rubygems-versions-generated.txt" => Scheme::RubyGems;
    rubygems: "rubygems-versions.txt" => Scheme::RubyGems;
    semver: "semver-versions.txt" => Scheme::SemVer;
}
