import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// Complaint intake in batches: `file_complaints` files every complaint the app has waiting in one
// call, one commit and one round trip (bench/intake.ts measured one call per complaint at about
// 1.8 ms of database CPU each, most of it per-statement and per-commit overhead). Each complaint
// still stands alone: a repeated idempotency key answers "duplicate" for that complaint only, and a
// limit refuses only the complaint over it.
//
// The idempotency record is now claimed first (ON CONFLICT DO NOTHING, which waits for a
// concurrent claimer to commit or roll back), so a repeat no longer counts against the limits,
// and its reference to the complaint, inserted later in the same call, is checked at commit.
//
// The indexes on the creation time of idempotency records and on the window of limit counts served
// only the hourly clean-up, which reads those small tables whole just as well; every complaint
// paid for them with two more index entries at random places.
//
// The outbox, written three times per message (insert, claim, done), was a third of the index
// entries of an intake. A claim now changes no indexed column (the pending index is on id alone)
// and finds room on its page (fillfactor), so it is a heap-only update; a handled message is
// deleted instead of kept as 'done' (failed ones still end as 'dead').
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE idempotency_keys
      ALTER CONSTRAINT idempotency_keys_complaint_id_fkey DEFERRABLE INITIALLY DEFERRED;
    DROP INDEX idempotency_keys_created_idx;
    DROP INDEX rate_limit_hits_window_idx;

    DELETE FROM outbox WHERE state = 'done';
    ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'dead'));
    DROP INDEX outbox_pending_idx;
    CREATE INDEX outbox_pending_idx ON outbox (id) WHERE state = 'pending';
    ALTER TABLE outbox SET (fillfactor = 70);

    DROP FUNCTION file_complaint;

    -- Every array holds one element per complaint, in the same order, except the photo and limit
    -- arrays, which hold one element per photo or limit and name their complaint (from 1) in
    -- p_photo_items and p_limit_items. Returns one row per complaint: its new id, or the limit
    -- that refused it, or duplicate = true when its idempotency key was already claimed.
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

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP FUNCTION file_complaints;
    ALTER TABLE idempotency_keys
      ALTER CONSTRAINT idempotency_keys_complaint_id_fkey NOT DEFERRABLE;
    CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
    CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_start);
    DROP INDEX outbox_pending_idx;
    CREATE INDEX outbox_pending_idx ON outbox (available_at, id) WHERE state = 'pending';
    ALTER TABLE outbox RESET (fillfactor);
    ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
      CHECK (state IN ('pending', 'done', 'dead'));
  `.execute(db)
  // The single-complaint function this replaced.
  const { up: restore } = await import('./2026-11-27T1400-file-complaint-function.ts')
  await restore(db)
}
