import { sql, type Kysely } from 'kysely'

// Frozen: never edit a migration that has run anywhere; add a new one.
//
// Complaint intake as one function call. The same steps as one SQL statement cost PostgreSQL
// about 0.6 ms of planning per complaint (bench/intake.ts); PL/pgSQL keeps each step's plan, so
// only this short call is parsed per request. All or nothing: the call is one statement. A key
// already claimed raises a unique violation on idempotency_keys, which undoes the whole call.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION file_complaint(
      p_tracking_no text, p_query_code_hash bytea, p_kind text, p_category text,
      p_county_code text, p_merchant_name text, p_merchant_uscc text, p_address text,
      p_occurred_at timestamptz, p_description text, p_pii_key_id text, p_name_sealed bytea,
      p_phone_sealed bytea, p_phone_hash bytea, p_claimed_quantity numeric,
      p_measured_quantity numeric, p_unit text, p_unit_price numeric, p_shortfall_amount numeric,
      p_received_at timestamptz, p_due_at timestamptz,
      p_event_kind text, p_event_note text, p_event_actor text,
      p_photo_positions int[], p_photo_keys text[], p_photo_types text[], p_photo_sizes int[],
      p_photo_sha256s text[], p_photo_names text[],
      p_outbox_topic text,
      p_limit_buckets text[], p_limit_windows timestamptz[], p_limit_maxes int[],
      p_idempotency_scope text, p_idempotency_key text, p_request_hash bytea,
      p_response_key_id text, p_response_sealed bytea
    ) RETURNS TABLE (filed_id bigint, refused_by text)
    LANGUAGE plpgsql AS $fn$
    DECLARE
      v_refused text;
      v_enterprise char(18);
      v_id bigint;
    BEGIN
      -- Abuse limits: count this attempt; a limit over its maximum refuses (the count stays).
      WITH hits AS (
        INSERT INTO rate_limit_hits AS r (bucket, window_start, hits)
        SELECT b, w, 1 FROM unnest(p_limit_buckets, p_limit_windows) AS t (b, w)
        ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
        RETURNING r.bucket, r.hits
      )
      SELECT h.bucket INTO v_refused
      FROM hits h JOIN unnest(p_limit_buckets, p_limit_maxes) AS m (b, mx) ON m.b = h.bucket
      WHERE h.hits > m.mx
      LIMIT 1;
      IF v_refused IS NOT NULL THEN
        RETURN QUERY SELECT NULL::bigint, v_refused;
        RETURN;
      END IF;

      -- A certified business named by its code is linked and its count goes up.
      IF p_merchant_uscc IS NOT NULL THEN
        UPDATE enterprises SET complaint_count = complaint_count + 1
        WHERE uscc = p_merchant_uscc::char(18)
        RETURNING uscc INTO v_enterprise;
      END IF;

      INSERT INTO complaints (
        tracking_no, query_code_hash, kind, category, county_code, merchant_name, merchant_uscc,
        enterprise_uscc, address, occurred_at, description, pii_key_id, name_sealed, phone_sealed,
        phone_hash, claimed_quantity, measured_quantity, unit, unit_price, shortfall_amount,
        received_at, due_at
      ) VALUES (
        p_tracking_no, p_query_code_hash, p_kind, p_category, p_county_code, p_merchant_name,
        p_merchant_uscc, v_enterprise, p_address, p_occurred_at, p_description, p_pii_key_id,
        p_name_sealed, p_phone_sealed, p_phone_hash, p_claimed_quantity, p_measured_quantity,
        p_unit, p_unit_price, p_shortfall_amount, p_received_at, p_due_at
      )
      RETURNING id INTO v_id;

      INSERT INTO complaint_events (complaint_id, kind, is_public, note, actor)
      VALUES (v_id, p_event_kind, true, p_event_note, p_event_actor);

      INSERT INTO complaint_photos
        (complaint_id, position, storage_key, content_type, size_bytes, sha256, original_name)
      SELECT v_id, x.pos, x.storage_key, x.content_type, x.size_bytes, x.sha256, x.original_name
      FROM unnest(p_photo_positions, p_photo_keys, p_photo_types, p_photo_sizes, p_photo_sha256s,
                  p_photo_names) AS x (pos, storage_key, content_type, size_bytes, sha256, original_name);

      INSERT INTO outbox (topic, aggregate_key, payload)
      VALUES (p_outbox_topic, 'complaint:' || v_id, jsonb_build_object('id', v_id::text));

      INSERT INTO idempotency_keys
        (scope, key, request_hash, complaint_id, pii_key_id, response_sealed)
      VALUES (p_idempotency_scope, p_idempotency_key, p_request_hash, v_id, p_response_key_id,
              p_response_sealed);

      RETURN QUERY SELECT v_id, NULL::text;
    END
    $fn$;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION file_complaint`.execute(db)
}
