release artifact.bin --key ci.key --project project --db db -o x
