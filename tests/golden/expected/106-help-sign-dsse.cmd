sign dsse --help
