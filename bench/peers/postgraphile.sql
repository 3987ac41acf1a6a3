-- `make bench PEERS=1`: what PostGraphile serves. The floor's status lookup (bench/floor.py,
-- STATUS) as one SQL function in a schema of its own, answering the gateway's flags; PostGraphile
-- exposes it as `lpaStatus(uid: String)` and nothing else of the database.
CREATE SCHEMA IF NOT EXISTS peers;
DROP FUNCTION IF EXISTS peers.lpa_status(text);
DROP TYPE IF EXISTS peers.lpa_status_flags;
CREATE TYPE peers.lpa_status_flags AS (
    is_registered boolean,
    is_cancelled boolean,
    has_restrictions_and_conditions boolean,
    lpa_type text,
    registration_date date
);
CREATE FUNCTION peers.lpa_status(uid text) RETURNS peers.lpa_status_flags
LANGUAGE sql STABLE AS $$
    SELECT status = 'registered', status = 'cancelled',
           coalesce(restrictions_and_conditions, '') <> '',
           upper(replace(lpa_type, '-', '_')), registration_date
    FROM public.lpas
    WHERE lpas.uid = $1 AND status IN ('registered', 'cancelled')
$$;
