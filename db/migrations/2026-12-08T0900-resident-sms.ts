import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// Text messages to residents (issue 25).
//
// - complaints.sms_updates: the resident chose, when filing, to be told by SMS of acceptance or
//   rejection, the published reply, closure and a reward. `file_complaints` takes it as one more
//   array; complaints filed before say no (nobody was asked).
// - sms_messages: one row per message, a queue like notification_deliveries (retried with backoff,
//   dead after the last try, kept after sending with the provider's id and answer). Unique on
//   message_key (`complaint:<id>:<event>`), so an event handled again sends nothing twice.
//   Messages of one `in_order_of` group (a complaint's) go out one at a time, oldest first. A row
//   holds the text as sent and its template's parameters (the tracking number and the page),
//   never the phone: the sender unseals the complaint's own when it sends, so a correction or an
//   erasure of the resident's data is what counts.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE complaints ADD COLUMN sms_updates boolean NOT NULL DEFAULT false;

    CREATE TABLE sms_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id bigint NOT NULL REFERENCES complaints (id),
      message_key text NOT NULL UNIQUE CHECK (length(message_key) BETWEEN 1 AND 200),
      event text NOT NULL CHECK (event IN ('accepted', 'rejected', 'replied', 'closed',
        'reward_granted')),
      in_order_of text NOT NULL CHECK (length(in_order_of) BETWEEN 1 AND 200),
      -- Urgent messages are sent during quiet hours (21:00-08:00 Beijing time); the others wait.
      priority text NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'urgent')),
      template_code text NOT NULL CHECK (length(template_code) BETWEEN 1 AND 100),
      -- The template's parameters: the tracking number and the page. Never personal data.
      params jsonb NOT NULL,
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 500),
      -- The Standard Webhooks message id (the provider's OutId): the same on every retry.
      message_id text NOT NULL UNIQUE CHECK (message_id ~ '^msg_[A-Za-z0-9]{16,64}$'),
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'dead')),
      attempts int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_attempt_at timestamptz,
      last_status smallint,
      last_error text,
      -- What the provider calls the message (Alibaba's BizId), once it took it.
      provider_id text,
      sent_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX sms_messages_due_idx ON sms_messages (next_attempt_at, id)
      WHERE state = 'pending';
    CREATE INDEX sms_messages_order_idx ON sms_messages (in_order_of, id)
      WHERE state = 'pending';
    CREATE INDEX sms_messages_complaint_idx ON sms_messages (complaint_id);

    CREATE FUNCTION sms_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('sms_messages', '');
      RETURN NULL;
    END
    $$;
    CREATE TRIGGER sms_messages_notify
      AFTER INSERT OR UPDATE OF state ON sms_messages
      FOR EACH STATEMENT EXECUTE FUNCTION sms_messages_notify();

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
      p_response_key_ids text[], p_responses_sealed bytea[],
      p_sms_updates boolean[]
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
          unit_price, shortfall_amount, received_at, due_at, sms_updates
        )
        OVERRIDING SYSTEM VALUE
        SELECT
          t.id, t.tracking_no, t.query_code_hash, t.kind, t.category, t.county_code,
          t.merchant_name, t.merchant_uscc, e.uscc, t.address, t.occurred_at, t.description,
          t.pii_key_id, t.name_sealed, t.phone_sealed, t.phone_hash, t.claimed_quantity,
          t.measured_quantity, t.unit, t.unit_price, t.shortfall_amount, t.received_at, t.due_at,
          coalesce(t.sms_updates, false)
        FROM unnest(
          v_ids, v_filed, p_tracking_nos, p_query_code_hashes, p_kinds, p_categories,
          p_county_codes, p_merchant_names, p_merchant_usccs, p_addresses, p_occurred_ats,
          p_descriptions, p_pii_key_ids, p_names_sealed, p_phones_sealed, p_phone_hashes,
          p_claimed_quantities, p_measured_quantities, p_units, p_unit_prices,
          p_shortfall_amounts, p_received_ats, p_due_ats, p_sms_updates
        ) AS t (
          id, filed, tracking_no, query_code_hash, kind, category, county_code, merchant_name,
          merchant_uscc, address, occurred_at, description, pii_key_id, name_sealed,
          phone_sealed, phone_hash, claimed_quantity, measured_quantity, unit, unit_price,
          shortfall_amount, received_at, due_at, sms_updates
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

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE sms_messages;
    DROP FUNCTION sms_messages_notify();
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

    ALTER TABLE complaints DROP COLUMN sms_updates;
  `.execute(db)
}
