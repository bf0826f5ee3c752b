pins project --format json
