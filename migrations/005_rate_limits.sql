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
-- expired, counted in turn (its own limits, data.apiKey.limits, or the plan's defaults, and its actor's), in one
-- transaction. Every counter the batch may touch is locked first, in key order,
-- so two batches (or a batch and a single call) never wait on each other in a cycle.
CREATE OR REPLACE FUNCTION gatehouse_find_tokens_and_consume(token_hashes text[], plan jsonb, costs bigint[], nows bigint[], month_start bigint, month_end bigint)
RETURNS TABLE (n integer, token_record jsonb, outcome jsonb) LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  token gatehouse_tokens%ROWTYPE;
  records jsonb[] := '{}';
  counter_lists jsonb[] := '{}';
  lock_keys text[] := '{}';
  lock_ends bigint[] := '{}';
  window_start bigint;
  counters jsonb;
  counter jsonb;
  win bigint;
  i integer;
BEGIN
  FOR i IN 1 .. coalesce(array_length(token_hashes, 1), 0) LOOP
    SELECT * INTO token FROM gatehouse_tokens AS t WHERE t.hash = token_hashes[i];
    IF NOT FOUND THEN
      records := array_append(records, NULL::jsonb);
      counter_lists := array_append(counter_lists, NULL::jsonb);
      CONTINUE;
    END IF;
    records := array_append(records, to_jsonb(token));
    counters := NULL;
    IF token.kind = plan->>'kind' AND token.actor_id IS NOT NULL AND (token.expires_at IS NULL OR token.expires_at > nows[i])
       -- an API key disabled or past its own expiry (data.apiKey; recordIsCounted) is not counted
       AND coalesce(jsonb_typeof(token.data->'apiKey'->'disabledAt'), 'null') <> 'number'
       AND NOT (coalesce(jsonb_typeof(token.data->'apiKey'->'expiresAt'), 'null') = 'number' AND (token.data->'apiKey'->>'expiresAt')::numeric <= nows[i]) THEN
      SELECT coalesce(jsonb_agg(l.value || jsonb_build_object('subject', 'key:' || token.hash) ORDER BY l.n), '[]'::jsonb) INTO counters
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(token.data->'apiKey'->'limits') = 'array' THEN token.data->'apiKey'->'limits' ELSE plan->'defaults' END) WITH ORDINALITY AS l(value, n);
      SELECT counters || coalesce(jsonb_agg(l.value || jsonb_build_object('subject', 'actor:' || token.actor_id) ORDER BY l.n), '[]'::jsonb) INTO counters
        FROM jsonb_array_elements(plan->'perActor') WITH ORDINALITY AS l(value, n);
      FOR counter IN SELECT value FROM jsonb_array_elements(counters) LOOP
        IF counter->>'window' = 'month' THEN
          lock_keys := lock_keys || ((counter->>'subject') || ':' || (counter->>'name') || ':' || month_start::text);
          lock_ends := lock_ends || month_end;
        ELSE
          win := (counter->>'window')::bigint;
          window_start := floor(nows[i]::numeric / win)::bigint * win;
          lock_keys := lock_keys || ((counter->>'subject') || ':' || (counter->>'name') || ':' || window_start::text);
          lock_ends := lock_ends || (window_start + win);
        END IF;
      END LOOP;
    END IF;
    counter_lists := array_append(counter_lists, counters);
  END LOOP;
  IF array_length(lock_keys, 1) IS NOT NULL THEN
    INSERT INTO gatehouse_limits AS l (key, used, expires_at)
      SELECT DISTINCT ON (k) k, 0::bigint, e + 1000 FROM unnest(lock_keys, lock_ends) AS t(k, e) ORDER BY k
      ON CONFLICT (key) DO NOTHING;
    PERFORM 1 FROM gatehouse_limits AS l WHERE l.key = ANY(lock_keys) ORDER BY l.key FOR UPDATE;
  END IF;
  FOR i IN 1 .. coalesce(array_length(token_hashes, 1), 0) LOOP
    IF records[i] IS NULL THEN CONTINUE; END IF;
    n := i;
    token_record := records[i];
    outcome := CASE WHEN counter_lists[i] IS NULL THEN NULL ELSE gatehouse_consume_limits(counter_lists[i], costs[i], nows[i], month_start, month_end) END;
    RETURN NEXT;
  END LOOP;
END
$$;
