//! Package-name normalisation: the key the database is indexed by and queries look up.
//!
//! Two spellings of one package must meet: PyPI names per PEP 503 (`Django`, `django_`
//! → `django`), crates.io names case- and `-`/`_`-insensitive (crates.io forbids names that
//! differ only so), Packagist and NuGet names case-insensitive. npm scoped names
//! (`@scope/name`), Go module paths with their major-version suffixes (`…/v2`,
//! `gopkg.in/yaml.v2`: distinct modules, so kept) and Maven `group:artifact` are exact.

/// The lookup key for `name` in OSV ecosystem `ecosystem` (`PyPI`, `Debian:12`, ...).
pub fn normalize(ecosystem: &str, name: &str) -> String {
    let base = ecosystem.split(':').next().unwrap_or(ecosystem);
    let name = name.trim();
    match base {
        "PyPI" => {
            let mut out = String::with_capacity(name.len());
            let mut sep = false;
            for c in name.chars() {
                if matches!(c, '-' | '_' | '.') {
                    sep = true;
                } else {
                    if sep && !out.is_empty() {
                        out.push('-');
                    }
                    sep = false;
                    out.push(c.to_ascii_lowercase());
                }
            }
            out
        }
        "crates.io" => name.to_ascii_lowercase().replace('_', "-"),
        "Packagist" | "NuGet" => name.to_ascii_lowercase(),
        "Maven" => name.replace('/', ":"),
        _ => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn pep503() {
        assert_eq!(normalize("PyPI", "Django"), "django");
        assert_eq!(normalize("PyPI", "zope.interface"), "zope-interface");
        assert_eq!(normalize("PyPI", "A__b-.-C"), "a-b-c");
        assert_eq!(normalize("PyPI", "ruamel.yaml.clib"), "ruamel-yaml-clib");
    }

    #[test]
    fn exact_where_the_ecosystem_is_exact() {
        assert_eq!(normalize("npm", "@Babel/core"), "@Babel/core");
        assert_eq!(normalize("Go", "gopkg.in/yaml.v2"), "gopkg.in/yaml.v2");
        assert_eq!(
            normalize("Go", "github.com/go-chi/chi/v5"),
            "github.com/go-chi/chi/v5"
        );
        assert_eq!(
            normalize("Maven", "org.apache.logging.log4j/log4j-core"),
            "org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(normalize("crates.io", "Serde_JSON"), "serde-json");
        assert_eq!(
            normalize("Packagist", "Symfony/HTTP-Kernel"),
            "symfony/http-kernel"
        );
    }
}
