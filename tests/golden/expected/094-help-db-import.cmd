db import --help
