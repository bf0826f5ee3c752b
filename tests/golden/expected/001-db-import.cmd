db import shared/osv --db db
