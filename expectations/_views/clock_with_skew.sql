-- The latest timestamp a source row may carry before the raw suites call it "in the
-- future": now in UTC, plus one day of clock skew between the source systems and us.
select (current_timestamp at time zone 'UTC') + interval 1 day as latest_allowed
