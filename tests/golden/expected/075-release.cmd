release artifact.bin --key ci.key --project project --db db --builder-id https://ci.example/b --source-uri git+https://example.com/a/b --source-commit 4d329c75e7ec1725f7c9ce917a8799d408d06be3
