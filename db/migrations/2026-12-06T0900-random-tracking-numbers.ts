import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// Tracking numbers (受理编号) become random: `JL`, the day of receipt and 8 random digits in two
// groups (JL20261206-4827-3915) instead of the next value of a sequence, which told anyone who
// filed two complaints how many came in between and let a stranger guess a resident's number
// (api/services/complaints/codes.ts). Numbers issued before keep their form and stay valid.
//
// Two complaints may draw the same number. `file_complaints` now inserts with ON CONFLICT DO
// NOTHING on the number and answers such a complaint as `tracking_no_taken`, with its idempotency
// key let go and its limit hits given back, so the caller files it again under a new number; the
// other complaints of the batch are not affected. The certified business's count is now raised
// after the insert, for the complaints actually filed.
//
// The new check is added NOT VALID and then validated, which reads the table without holding up
// intake (every stored number matches the old pattern, a subset of the new one).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_tracking_no_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_tracking_no_check
      CHECK (tracking_no ~ '^JL[0-9]{8}-([0-9]{4}-[0-9]{4}|[0-9]{5,})$') NOT VALID;
    ALTER TABLE complaints VALIDATE CONSTRAINT complaints_tracking_no_check;
    DROP SEQUENCE complaint_tracking_seq;

    DROP FUNCTION file_complaints;

    CREATE FUNCTION file_complaints(
      p_tracking_nos text[], p_query_code_hashes bytea[], p_kinds text[], p_categories text[],
      p_county_codes text[], p_merchant_names text[], p_merchant_usccs text[], p_addresses text[],
      p_occurred_ats timestamptz[], p_descriptions text[], p_pii_key_ids text[],
      p_names_sealed bytea[], p_phones_sealed bytea[], p_phone_hashes bytea[],
      p_claimed_quantities numeric[], p_measured_quantities numeric[], p_units text[],
      p_unit_prices numeric[], p_shortfall_amounts numeric[],
      p_received_ats timestamptz[], p_due_ats timestamptz[],
      p_event_kinds text[], p_event_notes text[], p_event_actors text[],
      p_photo_items int[], p_photo_positions int[], p_photo_keys text[], p_photo_types text[],
      p_photo_sizes int[], p_photo_sha256s text[], p_photo_names text[],
      p_outbox_topic text,
      p_limit_items int[], p_limit_buckets text[], p_limit_windows timestamptz[],
      p_limit_maxes int[],
      p_idempotency_scopes text[], p_idempotency_keys text[], p_request_hashes bytea[],
      p_response_key_ids text[], p_responses_sealed bytea[]
    ) RETURNS TABLE (
      item int, filed_id bigint, refused_by text, duplicate boolean, tracking_no_taken boolean
    )
    LANGUAGE plpgsql AS $fn$
    DECLARE
      n int := cardinality(p_tracking_nos);
      v_ids bigint[];
      v_filed boolean[];
      v_refused text;
      v_inserted bigint[];
      i int;
    BEGIN
      SELECT array_agg(nextval(pg_get_serial_sequence('complaints', 'id'))), array_agg(false)
      INTO v_ids, v_filed
      FROM generate_series(1, n);

      FOR i IN 1 .. n LOOP
        -- Claim the key; a repeat (a double click, a retry) is answered by the caller.
        INSERT INTO idempotency_keys
          (scope, key, request_hash, complaint_id, pii_key_id, response_sealed)
        VALUES (p_idempotency_scopes[i], p_idempotency_keys[i], p_request_hashes[i], v_ids[i],
                p_response_key_ids[i], p_responses_sealed[i])
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          RETURN QUERY SELECT i, NULL::bigint, NULL::text, true, false;
          CONTINUE;
        END IF;

        -- Abuse limits: count this attempt; a limit over its maximum refuses (the count stays).
        v_refused := NULL;
        WITH hits AS (
          INSERT INTO rate_limit_hits AS r (bucket, window_start, hits)
          SELECT t.b, t.w, 1
          FROM unnest(p_limit_items, p_limit_buckets, p_limit_windows) AS t (it, b, w)
          WHERE t.it = i
          ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
          RETURNING r.bucket, r.hits
        )
        SELECT h.bucket INTO v_refused
        FROM hits h
        JOIN unnest(p_limit_items, p_limit_buckets, p_limit_maxes) AS m (it, b, mx)
          ON m.it = i AND m.b = h.bucket
        WHERE h.hits > m.mx
        LIMIT 1;
        IF v_refused IS NOT NULL THEN
          DELETE FROM idempotency_keys
          WHERE scope = p_idempotency_scopes[i] AND key = p_idempotency_keys[i];
          RETURN QUERY SELECT i, NULL::bigint, v_refused, false, false;
          CONTINUE;
        END IF;

        v_filed[i] := true;
      END LOOP;

      -- A tracking number is random: one another complaint already has is not inserted (ON
      -- CONFLICT waits for a concurrent batch holding it to commit or roll back), its idempotency
      -- key is let go and its limit hits given back, and it is answered as taken, so that the
      -- caller files it again under a new number.
      WITH inserted AS (
        INSERT INTO complaints (
          id, tracking_no, query_code_hash, kind, category, county_code, merchant_name,
          merchant_uscc, enterprise_uscc, address, occurred_at, description, pii_key_id,
          name_sealed, phone_sealed, phone_hash, claimed_quantity, measured_quantity, unit,
          unit_price, shortfall_amount, received_at, due_at
        )
        OVERRIDING SYSTEM VALUE
        SELECT
          t.id, t.tracking_no, t.query_code_hash, t.kind, t.category, t.county_code,
          t.merchant_name, t.merchant_uscc, e.uscc, t.address, t.occurred_at, t.description,
          t.pii_key_id, t.name_sealed, t.phone_sealed, t.phone_hash, t.claimed_quantity,
          t.measured_quantity, t.unit, t.unit_price, t.shortfall_amount, t.received_at, t.due_at
        FROM unnest(
          v_ids, v_filed, p_tracking_nos, p_query_code_hashes, p_kinds, p_categories,
          p_county_codes, p_merchant_names, p_merchant_usccs, p_addresses, p_occurred_ats,
          p_descriptions, p_pii_key_ids, p_names_sealed, p_phones_sealed, p_phone_hashes,
          p_claimed_quantities, p_measured_quantities, p_units, p_unit_prices,
          p_shortfall_amounts, p_received_ats, p_due_ats
        ) AS t (
          id, filed, tracking_no, query_code_hash, kind, category, county_code, merchant_name,
          merchant_uscc, address, occurred_at, description, pii_key_id, name_sealed,
          phone_sealed, phone_hash, claimed_quantity, measured_quantity, unit, unit_price,
          shortfall_amount, received_at, due_at
        )
        LEFT JOIN enterprises e ON e.uscc = t.merchant_uscc::char(18)
        WHERE t.filed
        ON CONFLICT (tracking_no) DO NOTHING
        RETURNING id
      )
      SELECT coalesce(array_agg(id), '{}') INTO v_inserted FROM inserted;

      FOR i IN 1 .. n LOOP
        CONTINUE WHEN NOT v_filed[i] OR v_ids[i] = ANY (v_inserted);
        v_filed[i] := false;
        DELETE FROM idempotency_keys
        WHERE scope = p_idempotency_scopes[i] AND key = p_idempotency_keys[i];
        UPDATE rate_limit_hits AS r SET hits = r.hits - 1
        FROM unnest(p_limit_items, p_limit_buckets, p_limit_windows) AS t (it, b, w)
        WHERE t.it = i AND r.bucket = t.b AND r.window_start = t.w AND r.hits > 0;
        RETURN QUERY SELECT i, NULL::bigint, NULL::text, false, true;
      END LOOP;

      -- A certified business named by its code is linked and its count goes up.
      UPDATE enterprises e SET complaint_count = e.complaint_count + c.n
      FROM (
        SELECT t.u::char(18) AS uscc, count(*) AS n
        FROM unnest(p_merchant_usccs, v_filed) AS t (u, f)
        WHERE t.f AND t.u IS NOT NULL
        GROUP BY 1
      ) c
      WHERE e.uscc = c.uscc;

      INSERT INTO complaint_events (complaint_id, kind, is_public, note, actor)
      SELECT t.id, t.kind, true, t.note, t.actor
      FROM unnest(v_ids, v_filed, p_event_kinds, p_event_notes, p_event_actors)
        AS t (id, filed, kind, note, actor)
      WHERE t.filed;

      INSERT INTO complaint_photos
        (complaint_id, position, storage_key, content_type, size_bytes, sha256, original_name)
      SELECT v_ids[x.it], x.pos, x.storage_key, x.content_type, x.size_bytes, x.sha256,
             x.original_name
      FROM unnest(p_photo_items, p_photo_positions, p_photo_keys, p_photo_types, p_photo_sizes,
                  p_photo_sha256s, p_photo_names)
        AS x (it, pos, storage_key, content_type, size_bytes, sha256, original_name)
      WHERE v_filed[x.it];

      IF true = ANY (v_filed) THEN
        INSERT INTO outbox (topic, aggregate_key, payload)
        SELECT p_outbox_topic, 'complaint:' || t.id, jsonb_build_object('id', t.id::text)
        FROM unnest(v_ids, v_filed) AS t (id, filed)
        WHERE t.filed
        ORDER BY t.id;
      END IF;

      RETURN QUERY
        SELECT s.i, v_ids[s.i], NULL::text, false, false
        FROM generate_subscripts(v_filed, 1) AS s (i)
        WHERE v_filed[s.i];
    END
    $fn$;
  `.execute(db)
}

// Back to sequential numbers; refused (by the old check) once a random number is stored.
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints DROP CONSTRAINT complaints_tracking_no_check;
    ALTER TABLE complaints ADD CONSTRAINT complaints_tracking_no_check
      CHECK (tracking_no ~ '^JL[0-9]{8}-[0-9]{5,}$');
    CREATE SEQUENCE complaint_tracking_seq;
    SELECT setval('complaint_tracking_seq',
      coalesce(max(substring(tracking_no FROM '-([0-9]+)$')::bigint), 0) + 1)
    FROM complaints;

    DROP FUNCTION file_complaints;

    CREATE FUNCTION file_complaints(
      p_tracking_nos text[], p_query_code_hashes bytea[], p_kinds text[], p_categories text[],
      p_county_codes text[], p_merchant_names text[], p_merchant_usccs text[], p_addresses text[],
      p_occurred_ats timestamptz[], p_descriptions text[], p_pii_key_ids text[],
      p_names_sealed bytea[], p_phones_sealed bytea[], p_phone_hashes bytea[],
      p_claimed_quantities numeric[], p_measured_quantities numeric[], p_units text[],
      p_unit_prices numeric[], p_shortfall_amounts numeric[],
      p_received_ats timestamptz[], p_due_ats timestamptz[],
      p_event_kinds text[], p_event_notes text[], p_event_actors text[],
      p_photo_items int[], p_photo_positions int[], p_photo_keys text[], p_photo_types text[],
      p_photo_sizes int[], p_photo_sha256s text[], p_photo_names text[],
      p_outbox_topic text,
      p_limit_items int[], p_limit_buckets text[], p_limit_windows timestamptz[],
      p_limit_maxes int[],
      p_idempotency_scopes text[], p_idempotency_keys text[], p_request_hashes bytea[],
      p_response_key_ids text[], p_responses_sealed bytea[]
    ) RETURNS TABLE (item int, filed_id bigint, refused_by text, duplicate boolean)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      n int := cardinality(p_tracking_nos);
      v_ids bigint[];
      v_filed boolean[];
      v_refused text;
      i int;
    BEGIN
      SELECT array_agg(nextval(pg_get_serial_sequence('complaints', 'id'))), array_agg(false)
      INTO v_ids, v_filed
      FROM generate_series(1, n);

      FOR i IN 1 .. n LOOP
        -- Claim the key; a repeat (a double click, a retry) is answered by the caller.
        INSERT INTO idempotency_keys
          (scope, key, request_hash, complaint_id, pii_key_id, response_sealed)
        VALUES (p_idempotency_scopes[i], p_idempotency_keys[i], p_request_hashes[i], v_ids[i],
                p_response_key_ids[i], p_responses_sealed[i])
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
          RETURN QUERY SELECT i, NULL::bigint, NULL::text, true;
          CONTINUE;
        END IF;

        -- Abuse limits: count this attempt; a limit over its maximum refuses (the count stays).
        v_refused := NULL;
        WITH hits AS (
          INSERT INTO rate_limit_hits AS r (bucket, window_start, hits)
          SELECT t.b, t.w, 1
          FROM unnest(p_limit_items, p_limit_buckets, p_limit_windows) AS t (it, b, w)
          WHERE t.it = i
          ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
          RETURNING r.bucket, r.hits
        )
        SELECT h.bucket INTO v_refused
        FROM hits h
        JOIN unnest(p_limit_items, p_limit_buckets, p_limit_maxes) AS m (it, b, mx)
          ON m.it = i AND m.b = h.bucket
        WHERE h.hits > m.mx
        LIMIT 1;
        IF v_refused IS NOT NULL THEN
          DELETE FROM idempotency_keys
          WHERE scope = p_idempotency_scopes[i] AND key = p_idempotency_keys[i];
          RETURN QUERY SELECT i, NULL::bigint, v_refused, false;
          CONTINUE;
        END IF;

        v_filed[i] := true;
      END LOOP;

      -- A certified business named by its code is linked and its count goes up.
      UPDATE enterprises e SET complaint_count = e.complaint_count + c.n
      FROM (
        SELECT t.u::char(18) AS uscc, count(*) AS n
        FROM unnest(p_merchant_usccs, v_filed) AS t (u, f)
        WHERE t.f AND t.u IS NOT NULL
        GROUP BY 1
      ) c
      WHERE e.uscc = c.uscc;

      INSERT INTO complaints (
        id, tracking_no, query_code_hash, kind, category, county_code, merchant_name,
        merchant_uscc, enterprise_uscc, address, occurred_at, description, pii_key_id,
        name_sealed, phone_sealed, phone_hash, claimed_quantity, measured_quantity, unit,
        unit_price, shortfall_amount, received_at, due_at
      )
      OVERRIDING SYSTEM VALUE
      SELECT
        t.id, t.tracking_no, t.query_code_hash, t.kind, t.category, t.county_code,
        t.merchant_name, t.merchant_uscc, e.uscc, t.address, t.occurred_at, t.description,
        t.pii_key_id, t.name_sealed, t.phone_sealed, t.phone_hash, t.claimed_quantity,
        t.measured_quantity, t.unit, t.unit_price, t.shortfall_amount, t.received_at, t.due_at
      FROM unnest(
        v_ids, v_filed, p_tracking_nos, p_query_code_hashes, p_kinds, p_categories,
        p_county_codes, p_merchant_names, p_merchant_usccs, p_addresses, p_occurred_ats,
        p_descriptions, p_pii_key_ids, p_names_sealed, p_phones_sealed, p_phone_hashes,
        p_claimed_quantities, p_measured_quantities, p_units, p_unit_prices,
        p_shortfall_amounts, p_received_ats, p_due_ats
      ) AS t (
        id, filed, tracking_no, query_code_hash, kind, category, county_code, merchant_name,
        merchant_uscc, address, occurred_at, description, pii_key_id, name_sealed,
        phone_sealed, phone_hash, claimed_quantity, measured_quantity, unit, unit_price,
        shortfall_amount, received_at, due_at
      )
      LEFT JOIN enterprises e ON e.uscc = t.merchant_uscc::char(18)
      WHERE t.filed;

      INSERT INTO complaint_events (complaint_id, kind, is_public, note, actor)
      SELECT t.id, t.kind, true, t.note, t.actor
      FROM unnest(v_ids, v_filed, p_event_kinds, p_event_notes, p_event_actors)
        AS t (id, filed, kind, note, actor)
      WHERE t.filed;

      INSERT INTO complaint_photos
        (complaint_id, position, storage_key, content_type, size_bytes, sha256, original_name)
      SELECT v_ids[x.it], x.pos, x.storage_key, x.content_type, x.size_bytes, x.sha256,
             x.original_name
      FROM unnest(p_photo_items, p_photo_positions, p_photo_keys, p_photo_types, p_photo_sizes,
                  p_photo_sha256s, p_photo_names)
        AS x (it, pos, storage_key, content_type, size_bytes, sha256, original_name)
      WHERE v_filed[x.it];

      IF true = ANY (v_filed) THEN
        INSERT INTO outbox (topic, aggregate_key, payload)
        SELECT p_outbox_topic, 'complaint:' || t.id, jsonb_build_object('id', t.id::text)
        FROM unnest(v_ids, v_filed) AS t (id, filed)
        WHERE t.filed
        ORDER BY t.id;
      END IF;

      RETURN QUERY
        SELECT s.i, v_ids[s.i], NULL::text, false
        FROM generate_subscripts(v_filed, 1) AS s (i)
        WHERE v_filed[s.i];
    END
    $fn$;
  `.execute(db)
}
