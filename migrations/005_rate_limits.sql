-- Rate-limit and quota counters of API keys (rateLimits), and the two functions that count
-- in one statement: gatehouse_consume_limits (configured keys) and
-- gatehouse_find_tokens_and_consume (store-issued keys: each one's lookup and its counters
-- together, for the keys checked in one pass of an instance's event loop). The rule is consumeCounters of src/rate-limits/policy.ts: one row per counter
-- and window (key '<subject>:<name>:<window start>'), windows aligned to the epoch (or the
-- month given), all or nothing. Rows are locked in key order, so two calls never deadlock.
CREATE TABLE IF NOT EXISTS gatehouse_limits (
  key         text PRIMARY KEY,
  used        bigint NOT NULL,
  expires_at  bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS gatehouse_limits_expires_at_idx ON gatehouse_limits (expires_at);

CREATE OR REPLACE FUNCTION gatehouse_consume_limits(counters jsonb, cost bigint, now_ms bigint, month_start bigint, month_end bigint)
RETURNS jsonb LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  counter jsonb;
  win bigint;
  keys text[] := '{}';
  starts bigint[] := '{}';
  ends bigint[] := '{}';
  useds bigint[] := '{}';
  window_start bigint;
  window_end bigint;
  allowed boolean := true;
  answer jsonb := '[]'::jsonb;
  i integer := 0;
BEGIN
  -- A counter is not a credential: its transaction need not wait for the WAL flush. A crash
  -- may forget the last few milliseconds of counts (wal_writer_delay), never a token.
  PERFORM set_config('synchronous_commit', 'off', true);
  FOR counter IN SELECT value FROM jsonb_array_elements(counters) WITH ORDINALITY AS c(value, n) ORDER BY n LOOP
    IF counter->>'window' = 'month' THEN
      window_start := month_start;
      window_end := month_end;
    ELSE
      win := (counter->>'window')::bigint;
      window_start := floor(now_ms::numeric / win)::bigint * win;
      window_end := window_start + win;
    END IF;
    keys := keys || ((counter->>'subject') || ':' || (counter->>'name') || ':' || window_start::text);
    starts := starts || window_start;
    ends := ends || window_end;
  END LOOP;
  IF array_length(keys, 1) IS NULL THEN
    RETURN jsonb_build_object('allowed', true, 'counters', '[]'::jsonb);
  END IF;
  INSERT INTO gatehouse_limits AS l (key, used, expires_at)
    SELECT k, 0, e + 1000 FROM unnest(keys, ends) AS t(k, e) ORDER BY k
    ON CONFLICT (key) DO NOTHING;
  PERFORM 1 FROM gatehouse_limits AS l WHERE l.key = ANY(keys) ORDER BY l.key FOR UPDATE;
  FOR i IN 1 .. array_length(keys, 1) LOOP
    useds := useds || (SELECT l.used FROM gatehouse_limits AS l WHERE l.key = keys[i]);
    IF useds[i] + cost > (counters->(i - 1)->>'limit')::bigint THEN allowed := false; END IF;
  END LOOP;
  IF allowed AND cost > 0 THEN
    UPDATE gatehouse_limits AS l SET used = l.used + cost WHERE l.key = ANY(keys);
  END IF;
  FOR i IN 1 .. array_length(keys, 1) LOOP
    answer := answer || jsonb_build_array(jsonb_build_array(
      counters->(i - 1)->>'name', (counters->(i - 1)->>'limit')::bigint,
      CASE WHEN (counters->(i - 1)->>'quota')::boolean THEN 1 ELSE 0 END,
      starts[i], ends[i], CASE WHEN allowed THEN useds[i] + cost ELSE useds[i] END));
  END LOOP;
  RETURN jsonb_build_object('allowed', allowed, 'counters', answer);
END
$$;

-- The store-issued keys checked during one pass of an instance's event loop, in one
-- statement: each is looked up and, when it is of the plan's kind, has an actor and has not
-- expired, counted in turn (its own limits, data.apiKey.limits, or the plan's defaults, and
-- its actor's), in one transaction. Every counter the batch may touch is locked first, in key
-- order, so two batches (or a batch and a single call) never wait on each other in a cycle,
-- and read once. The calls are then decided in order, each all or nothing against the counts
-- as the calls before it left them (consumeCounters of src/rate-limits/policy.ts, call by
-- call), and each counter is written once with what the batch added to it: a hot key's
-- batch of 50 checks is one row version, not 50 UPDATEs of one row in one transaction (each
-- a new version the next one had to walk past).
CREATE OR REPLACE FUNCTION gatehouse_find_tokens_and_consume(token_hashes text[], plan jsonb, costs bigint[], nows bigint[], month_start bigint, month_end bigint)
RETURNS TABLE (n integer, token_record jsonb, outcome jsonb) LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  calls integer := coalesce(array_length(token_hashes, 1), 0);
  token gatehouse_tokens%ROWTYPE;
  looked_up text;
  has_token boolean := false;
  token_json jsonb;
  token_counters jsonb;
  records jsonb[] := '{}';
  counter_lists jsonb[] := '{}';
  -- Every counter of every counted call, in call order: its key and window; firsts[i] is call i's first.
  keys text[] := '{}';
  starts bigint[] := '{}';
  ends bigint[] := '{}';
  firsts integer[] := '{}';
  locked_keys text[];
  useds bigint[];
  used_before bigint[];
  slots integer[];
  counter jsonb;
  counters jsonb;
  win bigint;
  window_start bigint;
  cost bigint;
  allowed boolean;
  answer jsonb;
  first_at integer;
  slot integer;
  i integer;
  j integer;
BEGIN
  -- A counter is not a credential: its transaction need not wait for the WAL flush. A crash
  -- may forget the last few milliseconds of counts (wal_writer_delay), never a token.
  PERFORM set_config('synchronous_commit', 'off', true);
  FOR i IN 1 .. calls LOOP
    -- A hot key fills a batch with one hash: it is read (and its counters listed) once.
    IF looked_up IS DISTINCT FROM token_hashes[i] THEN
      looked_up := token_hashes[i];
      SELECT * INTO token FROM gatehouse_tokens AS t WHERE t.hash = looked_up;
      has_token := FOUND;
      token_counters := NULL;
      IF has_token THEN
        token_json := to_jsonb(token);
        IF token.actor_id IS NOT NULL THEN
          SELECT coalesce(jsonb_agg(l.value || jsonb_build_object('subject', 'key:' || token.hash) ORDER BY l.ord), '[]'::jsonb) INTO token_counters
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(token.data->'apiKey'->'limits') = 'array' THEN token.data->'apiKey'->'limits' ELSE plan->'defaults' END) WITH ORDINALITY AS l(value, ord);
          SELECT token_counters || coalesce(jsonb_agg(l.value || jsonb_build_object('subject', 'actor:' || token.actor_id) ORDER BY l.ord), '[]'::jsonb) INTO token_counters
            FROM jsonb_array_elements(plan->'perActor') WITH ORDINALITY AS l(value, ord);
        END IF;
      END IF;
    END IF;
    IF NOT has_token THEN
      records := array_append(records, NULL::jsonb);
      counter_lists := array_append(counter_lists, NULL::jsonb);
      firsts := array_append(firsts, NULL::integer);
      CONTINUE;
    END IF;
    records := array_append(records, token_json);
    IF token.kind = plan->>'kind' AND token.actor_id IS NOT NULL AND (token.expires_at IS NULL OR token.expires_at > nows[i])
       -- an API key disabled or past its own expiry (data.apiKey; recordIsCounted) is not counted
       AND coalesce(jsonb_typeof(token.data->'apiKey'->'disabledAt'), 'null') <> 'number'
       AND NOT (coalesce(jsonb_typeof(token.data->'apiKey'->'expiresAt'), 'null') = 'number' AND (token.data->'apiKey'->>'expiresAt')::numeric <= nows[i]) THEN
      counter_lists := array_append(counter_lists, token_counters);
      firsts := array_append(firsts, coalesce(array_length(keys, 1), 0) + 1);
      FOR j IN 0 .. jsonb_array_length(token_counters) - 1 LOOP
        counter := token_counters->j;
        IF counter->>'window' = 'month' THEN
          starts := array_append(starts, month_start);
          ends := array_append(ends, month_end);
        ELSE
          win := (counter->>'window')::bigint;
          window_start := floor(nows[i]::numeric / win)::bigint * win;
          starts := array_append(starts, window_start);
          ends := array_append(ends, window_start + win);
        END IF;
        keys := array_append(keys, (counter->>'subject') || ':' || (counter->>'name') || ':' || starts[array_length(starts, 1)]::text);
      END LOOP;
    ELSE
      counter_lists := array_append(counter_lists, NULL::jsonb);
      firsts := array_append(firsts, NULL::integer);
    END IF;
  END LOOP;
  IF array_length(keys, 1) IS NOT NULL THEN
    LOOP
      INSERT INTO gatehouse_limits AS l (key, used, expires_at)
        SELECT DISTINCT ON (k) k, 0::bigint, e + 1000 FROM unnest(keys, ends) AS t(k, e) ORDER BY k
        ON CONFLICT (key) DO NOTHING;
      -- Locked in key order and read in the same statement (FOR UPDATE reads the latest version).
      SELECT array_agg(c.key ORDER BY c.key), array_agg(c.used ORDER BY c.key) INTO locked_keys, useds
        FROM (SELECT l.key, l.used FROM gatehouse_limits AS l WHERE l.key = ANY(keys) ORDER BY l.key FOR UPDATE) AS c;
      -- Each counter of each call: its place in locked_keys / useds.
      SELECT array_agg(d.slot ORDER BY o.ord) INTO slots
        FROM unnest(keys) WITH ORDINALITY AS o(okey, ord) JOIN unnest(locked_keys) WITH ORDINALITY AS d(dkey, slot) ON d.dkey = o.okey;
      -- A sweep with a clock far ahead may have dropped a counter between the two: insert it again.
      EXIT WHEN coalesce(array_length(slots, 1), 0) = array_length(keys, 1);
    END LOOP;
    used_before := useds;
  END IF;
  FOR i IN 1 .. calls LOOP
    IF records[i] IS NULL THEN CONTINUE; END IF;
    n := i;
    token_record := records[i];
    outcome := NULL;
    first_at := firsts[i];
    IF first_at IS NOT NULL THEN
      counters := counter_lists[i];
      cost := costs[i];
      allowed := true;
      FOR j IN 0 .. jsonb_array_length(counters) - 1 LOOP
        IF useds[slots[first_at + j]] + cost > (counters->j->>'limit')::bigint THEN allowed := false; END IF;
      END LOOP;
      answer := '[]'::jsonb;
      FOR j IN 0 .. jsonb_array_length(counters) - 1 LOOP
        slot := slots[first_at + j];
        IF allowed AND cost > 0 THEN useds[slot] := useds[slot] + cost; END IF;
        counter := counters->j;
        answer := answer || jsonb_build_array(jsonb_build_array(
          counter->>'name', (counter->>'limit')::bigint,
          CASE WHEN (counter->>'quota')::boolean THEN 1 ELSE 0 END,
          starts[first_at + j], ends[first_at + j], useds[slot]));
      END LOOP;
      outcome := jsonb_build_object('allowed', allowed, 'counters', answer);
    END IF;
    RETURN NEXT;
  END LOOP;
  -- One write per counter the batch counted in, with the sum of what its calls added.
  IF array_length(keys, 1) IS NOT NULL THEN
    UPDATE gatehouse_limits AS l SET used = u.after
      FROM unnest(locked_keys, useds, used_before) AS u(ukey, after, was)
      WHERE l.key = u.ukey AND u.after <> u.was;
  END IF;
END
$$;
