verify dsse --help
