import { sql, type Kysely } from 'kysely'

// Frozen once it has run anywhere: add a new migration instead of editing this one.
//
// 举报奖励 (issue 25, item 5). One reward per 举报 (complaint_id unique): a handler proposes an
// amount under a rule, a city administrator approves or refuses with a reason (a refused one may
// be proposed again: the same row goes back to `proposed`, the audit log keeps the history), the
// reporter confirms on the tracking page how to receive it before the claim deadline, and the
// payment is recorded. The receiving details (payee, bank, account) are personal data, sealed like
// the contact details under their own key id, and erased with the rest of the case.
//
// Amounts are in fen: no yuan is lost to rounding, and the cap is the national measures' ceiling
// per case (1,000,000 yuan). Each state carries the facts it needs, and the checks say so.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE reporter_rewards (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      complaint_id bigint NOT NULL UNIQUE REFERENCES complaints (id) ON DELETE CASCADE,
      state text NOT NULL DEFAULT 'proposed'
        CHECK (state IN ('proposed', 'approved', 'refused', 'claimed', 'paid')),
      amount_fen integer NOT NULL CHECK (amount_fen > 0 AND amount_fen <= 100000000),
      rule text NOT NULL CHECK (rule IN ('grade_1', 'grade_2', 'grade_3', 'local')),
      rule_note text NOT NULL DEFAULT '' CHECK (length(rule_note) <= 500),
      proposed_by bigint REFERENCES operators (id),
      proposed_at timestamptz NOT NULL,
      decided_by bigint REFERENCES operators (id),
      decided_at timestamptz,
      refusal_reason text CHECK (length(refusal_reason) BETWEEN 1 AND 500),
      claim_deadline timestamptz,
      claimed_at timestamptz,
      claim_method text CHECK (claim_method IN ('bank_transfer', 'in_person')),
      payee_sealed bytea,
      payee_key_id text,
      paid_on date,
      payment_method text CHECK (payment_method IN ('bank_transfer', 'in_person')),
      payment_reference text CHECK (length(btrim(payment_reference)) BETWEEN 1 AND 100),
      paid_by bigint REFERENCES operators (id),
      paid_recorded_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((state = 'proposed') = (decided_at IS NULL)),
      CHECK ((state = 'refused') = (refusal_reason IS NOT NULL)),
      CHECK ((state IN ('approved', 'claimed', 'paid')) = (claim_deadline IS NOT NULL)),
      CHECK ((state IN ('claimed', 'paid')) = (claimed_at IS NOT NULL)),
      CHECK ((claimed_at IS NULL) = (claim_method IS NULL)),
      CHECK ((payee_sealed IS NULL) = (payee_key_id IS NULL)),
      CHECK ((state = 'paid') = (paid_on IS NOT NULL)),
      CHECK ((paid_on IS NULL) = (payment_method IS NULL)),
      CHECK ((paid_on IS NULL) = (payment_reference IS NULL))
    );
    CREATE INDEX reporter_rewards_state_idx ON reporter_rewards (state, updated_at DESC);
    CREATE INDEX reporter_rewards_paid_idx ON reporter_rewards (paid_on) WHERE paid_on IS NOT NULL;
  `.execute(db)
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE reporter_rewards`.execute(db)
}
