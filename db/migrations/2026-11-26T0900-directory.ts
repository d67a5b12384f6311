import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE counties (
      code char(6) PRIMARY KEY CHECK (code ~ '^3311[0-9]{2}$'),
      name text NOT NULL UNIQUE,
      sort_order int NOT NULL
    );
    INSERT INTO counties (code, name, sort_order) VALUES
      ('331100', '丽水市本级', 0),
      ('331102', '莲都区', 1),
      ('331121', '青田县', 2),
      ('331122', '缙云县', 3),
      ('331123', '遂昌县', 4),
      ('331124', '松阳县', 5),
      ('331125', '云和县', 6),
      ('331126', '庆元县', 7),
      ('331127', '景宁畲族自治县', 8),
      ('331181', '龙泉市', 9);

    CREATE TABLE sectors (
      code text PRIMARY KEY CHECK (code ~ '^[a-z_]+$'),
      name text NOT NULL UNIQUE,
      sort_order int NOT NULL
    );
    INSERT INTO sectors (code, name, sort_order) VALUES
      ('market', '集贸市场', 1),
      ('supermarket', '商场超市', 2),
      ('fuel_station', '加油站', 3),
      ('gas_station', '加气站', 4),
      ('taxi', '出租汽车', 5),
      ('optical', '眼镜制配', 6),
      ('medical', '医疗机构', 7),
      ('water', '供水', 8),
      ('power', '供电', 9),
      ('gas_supply', '供气', 10),
      ('charging', '充电桩', 11),
      ('grain', '粮食收购', 12),
      ('catering', '餐饮', 13),
      ('other', '其他', 14);

    CREATE TABLE enterprises (
      uscc char(18) PRIMARY KEY CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
      name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
      county_code char(6) NOT NULL REFERENCES counties (code),
      sector_code text NOT NULL REFERENCES sectors (code),
      address text NOT NULL CHECK (length(address) <= 500),
      certified_at date NOT NULL,
      valid_until date NOT NULL,
      status text NOT NULL CHECK (status IN ('active', 'suspended', 'revoked', 'expired')),
      status_since date NOT NULL,
      is_demo boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (valid_until >= certified_at),
      CHECK (status_since >= certified_at)
    );
    CREATE INDEX enterprises_county_idx ON enterprises (county_code, status);
    CREATE INDEX enterprises_sector_idx ON enterprises (sector_code, status);
    CREATE INDEX enterprises_status_idx ON enterprises (status);

    CREATE TABLE certification_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      uscc char(18) NOT NULL REFERENCES enterprises (uscc) ON DELETE CASCADE,
      kind text NOT NULL
        CHECK (kind IN ('certified', 'renewed', 'suspended', 'reinstated', 'revoked', 'expired')),
      occurred_on date NOT NULL,
      valid_until date,
      reason text CHECK (length(reason) <= 1000),
      source text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX certification_events_uscc_idx ON certification_events (uscc, occurred_on, id);

    CREATE TABLE outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL,
      aggregate_key text NOT NULL,
      payload jsonb NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'dead')),
      attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      max_attempts int NOT NULL DEFAULT 12 CHECK (max_attempts > 0),
      available_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz
    );
    CREATE INDEX outbox_pending_idx ON outbox (available_at, id) WHERE state = 'pending';
    CREATE INDEX outbox_key_idx ON outbox (aggregate_key, id) WHERE state = 'pending';
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE outbox;
    DROP TABLE certification_events;
    DROP TABLE enterprises;
    DROP TABLE sectors;
    DROP TABLE counties;
  `.execute(db)
}
