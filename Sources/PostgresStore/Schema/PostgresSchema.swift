/// The PostgreSQL schema, one migration per version (see ``PostgresMigrator``).
///
/// Version 1 is the SQLite store's schema as it stands after its migration v15
/// (`Sources/SQLiteStore/Schema/StoreMigrations.swift`), translated, not replayed:
///
/// - Names are snake_case (`automatedAction.dateStarted` → `automated_action.date_started`).
/// - Instants are `timestamptz`: domain timestamps are whole seconds, which it holds exactly, and
///   it orders and indexes like SQLite's REAL seconds. Hour buckets stay bigint hours since 1970.
/// - Identifiers that are UUIDs in the domain are `uuid` (16 bytes, not 36 of text): that is why
///   SQLite's 64-bit lookup hashes of v4 (`keyHash`, `processHash`) have no counterpart here.
///   Tenant ids, event ids and keys are text.
/// - JSON (items, policies, timing, bodies, payloads, results) is `text`, as the store writes it:
///   no query reads inside it, `jsonb` would reorder keys and rejects `\u0000`, which SQLite and
///   the domain accept.
/// - Text that the API pages or sorts by (tenant, namespace and action names) is `COLLATE "C"`:
///   byte order, as SQLite compares, whatever the database's locale.
/// - Uniqueness is in the schema, so any number of writers can use `INSERT … ON CONFLICT DO
///   NOTHING`: the history's idempotency key (SQLite dropped that index in v4 for a
///   check-then-insert in one writer), a delayed run's id and its Idempotency-Key per action
///   (which also carries a webhook call's `webhook-id` for delaying webhooks), an outgoing
///   webhook request's process id, a notification's id, a manual run's key.
/// - SQLite's triggers (the definitions version, the scheduled-run count, the hourly run
///   statistics) are PL/pgSQL trigger functions with the same effect.
public enum PostgresSchema {
    /// Every migration, in order; the last one's version is the schema this binary writes.
    public static let migrations = [v1, v2]

    /// The channel of ``v2``'s notifications (``PostgresChangeFeed`` listens on it).
    public static let changesChannel = "signalbox_changes"

    static let v1 = PostgresMigration(
        version: 1, name: "tenants, tokens, actions, schedules, triggers, webhooks, history, delayed runs, outboxes, statistics",
        statements: [
            """
            CREATE TABLE tenant (
                id text COLLATE "C" PRIMARY KEY,
                name text NOT NULL,
                date_created timestamptz NOT NULL
            )
            """,
            """
            CREATE TABLE api_token (
                id uuid PRIMARY KEY,
                tenant_id text COLLATE "C" NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
                role text NOT NULL,
                name text,
                secret_hash text NOT NULL,
                date_created timestamptz NOT NULL,
                expires_at timestamptz,
                -- Written at most once a minute per token.
                last_used_at timestamptz
            )
            """,
            // token(secretHash:): the lookup behind every request.
            "CREATE UNIQUE INDEX api_token_secret_hash ON api_token (secret_hash)",
            // tokens(tenant:), listed by creation; also the cascade from tenant.
            "CREATE INDEX api_token_tenant ON api_token (tenant_id, date_created, id)",

            // Not a foreign key to tenant: an action may name a tenant that has no row (the
            // default tenant is created lazily by the service), as in the other stores.
            // scheduled_runs: the action's delayed runs in status 'scheduled', kept by a trigger
            // so that no insert counts the backlog for the per-action limit.
            """
            CREATE TABLE automated_action (
                id uuid PRIMARY KEY,
                tenant_id text COLLATE "C" NOT NULL,
                namespace text COLLATE "C" NOT NULL,
                name text COLLATE "C" NOT NULL,
                description text,
                status text NOT NULL,
                items text NOT NULL,
                next_scheduled_run_at timestamptz,
                total_executions bigint NOT NULL DEFAULT 0,
                consecutive_failures bigint NOT NULL DEFAULT 0,
                date_created timestamptz NOT NULL,
                date_updated timestamptz NOT NULL,
                policies text,
                paused_reason text,
                paused_at timestamptz,
                scheduled_runs bigint NOT NULL DEFAULT 0,
                execution text NOT NULL DEFAULT 'parallel',
                managed_by text,
                defined_in text
            )
            """,
            // Names are unique per namespace; also action(named:), actions(namespace:) by name with
            // the name cursor, and the pipeline's reads ordered by tenant, namespace, name.
            "CREATE UNIQUE INDEX automated_action_name ON automated_action (tenant_id, namespace, name)",

            // next_occurrence and last_fired_occurrence are scheduler progress, not definition.
            """
            CREATE TABLE cron_schedule (
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                id uuid NOT NULL,
                position integer NOT NULL,
                name text NOT NULL,
                is_enabled boolean NOT NULL,
                second text,
                minute text,
                hour text,
                day_of_month text,
                month text,
                day_of_week text,
                cron text,
                at text,
                time_zone text NOT NULL,
                missed_run_policy text NOT NULL,
                next_occurrence timestamptz,
                last_fired_occurrence timestamptz,
                date_created timestamptz NOT NULL,
                PRIMARY KEY (action_id, id)
            )
            """,
            // An action's schedules in order (loading the aggregate).
            "CREATE INDEX cron_schedule_action ON cron_schedule (action_id, position)",
            // actionsWithEnabledSchedules: the scheduler and the calendar view.
            "CREATE INDEX cron_schedule_enabled ON cron_schedule (action_id) WHERE is_enabled",

            """
            CREATE TABLE message_trigger (
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                id uuid NOT NULL,
                position integer NOT NULL,
                name text NOT NULL,
                is_enabled boolean NOT NULL,
                trigger_type text NOT NULL,
                event_filter text NOT NULL,
                timing text,
                PRIMARY KEY (action_id, id)
            )
            """,
            // An action's triggers in order (loading the aggregate).
            "CREATE INDEX message_trigger_action ON message_trigger (action_id, position)",
            // actionsWithEnabledTriggers (building the trigger index), and enabled triggers by type.
            "CREATE INDEX message_trigger_enabled_by_type ON message_trigger (trigger_type, action_id) WHERE is_enabled",

            // sequence: insertion order, the tie-break of date_started and the second half of the
            // history cursor. The idempotency key (ExecutionHistoryEntry.idempotencyKey): a manual
            // run has no trigger id, and NULLS NOT DISTINCT makes two such keys equal, as the
            // key's equality does; `ON CONFLICT (source_event_id, trigger_id, item_index) DO
            // NOTHING` records a run once however many replicas record it.
            """
            CREATE TABLE execution_history (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id uuid NOT NULL,
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                trigger_type text NOT NULL,
                trigger_id uuid,
                process_id uuid NOT NULL,
                process_type text NOT NULL,
                date_started timestamptz NOT NULL,
                date_running timestamptz,
                date_completed timestamptz,
                outcome text NOT NULL,
                error_message text,
                source_event_id text NOT NULL,
                item_index integer NOT NULL,
                attempt integer NOT NULL DEFAULT 1,
                retry_of uuid,
                result text,
                CONSTRAINT execution_history_idempotency UNIQUE NULLS NOT DISTINCT (source_event_id, trigger_id, item_index)
            )
            """,
            // history(actionId:page:) newest first with the (date_started, sequence) cursor, the
            // per-action ranking of pruneHistory(keepLastPerAction:), and an action's statistics
            // (counts, durations) from the index alone; also the cascade from the action.
            """
            CREATE INDEX execution_history_action ON execution_history (action_id, date_started DESC, sequence DESC)
                INCLUDE (outcome, date_completed)
            """,
            // historyEntry(processId:), completeExecution(processId:) and completeExecutions.
            "CREATE INDEX execution_history_process ON execution_history (process_id)",
            // A retry's chain of earlier attempts (retry_of), walked when a retried item closes.
            "CREATE INDEX execution_history_id ON execution_history (id)",

            // definitionsVersion(): one row, bumped by triggers in the same transaction as any
            // change of a definition, so that the trigger index polls one integer. Counters and
            // scheduler progress are not definitions and do not bump it.
            """
            CREATE TABLE definitions_version (
                id integer PRIMARY KEY CHECK (id = 1),
                version bigint NOT NULL
            )
            """,
            "INSERT INTO definitions_version (id, version) VALUES (1, 0)",
            """
            CREATE FUNCTION signalbox_bump_definitions_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE definitions_version SET version = version + 1 WHERE id = 1;
                RETURN NULL;
            END
            $$
            """,
            bumpTrigger(definitionColumns[0]),
            bumpTrigger(definitionColumns[1]),
            bumpTrigger(definitionColumns[2]),

            // record(_:) claims a key in the run's own transaction; the primary key makes two
            // claims of one key by concurrent requests (or replicas) meet in the schema.
            """
            CREATE TABLE manual_run_key (
                tenant_id text COLLATE "C" NOT NULL,
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                key text NOT NULL,
                event_id text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, action_id, key)
            )
            """,
            // pruneManualRunKeys(createdBefore:).
            "CREATE INDEX manual_run_key_created ON manual_run_key (created_at)",
            // The cascade from the action (the primary key leads with the tenant).
            "CREATE INDEX manual_run_key_action ON manual_run_key (action_id)",

            // Webhooks are read by neither the trigger index nor the scheduler: no version bump.
            // Calls look a webhook up by its id alone (the URL has no tenant): unique on id.
            """
            CREATE TABLE webhook_trigger (
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                id uuid NOT NULL,
                position integer NOT NULL,
                name text NOT NULL,
                is_enabled boolean NOT NULL,
                filter text,
                allow_secret_parameter boolean NOT NULL,
                rate_per_second double precision NOT NULL,
                rate_burst integer NOT NULL,
                date_created timestamptz NOT NULL,
                timing text,
                PRIMARY KEY (action_id, id),
                CONSTRAINT webhook_trigger_id UNIQUE (id)
            )
            """,
            """
            CREATE TABLE webhook_credentials (
                webhook_id uuid PRIMARY KEY REFERENCES webhook_trigger (id) ON DELETE CASCADE,
                secret text NOT NULL,
                previous_secret text,
                previous_secret_expires_at timestamptz,
                rotated_at timestamptz
            )
            """,
            """
            CREATE TABLE action_signing_credentials (
                action_id uuid PRIMARY KEY REFERENCES automated_action (id) ON DELETE CASCADE,
                secret text NOT NULL,
                previous_secret text,
                previous_secret_expires_at timestamptz,
                rotated_at timestamptz
            )
            """,
            // A `webhook` item's request from the transaction that records its Pending entry to the
            // one that closes it: what a restart sends again. One per process id, so a second
            // recording of the same run (another replica) cannot queue a second delivery.
            """
            CREATE TABLE http_outbox (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                process_id uuid NOT NULL,
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                request text NOT NULL,
                CONSTRAINT http_outbox_process UNIQUE (process_id)
            )
            """,
            // Deleting an action deletes its outbox rows.
            "CREATE INDEX http_outbox_action ON http_outbox (action_id)",

            // A run asked for later: scheduled until its commands are confirmed (dispatched) or it
            // is cancelled; claimed_at marks one being dispatched. Its id is derived from the event
            // and trigger that asked for it (UUIDv5), request_key is the Idempotency-Key of
            // POST …/runs or `webhook:<webhook-id>`: both unique, so a redelivered event or a
            // retried call finds the run stored first (NULL request keys stay distinct).
            """
            CREATE TABLE delayed_run (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id uuid NOT NULL,
                tenant_id text COLLATE "C" NOT NULL,
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                key text,
                request_key text,
                due_at timestamptz NOT NULL,
                status text NOT NULL,
                payload text,
                date_created timestamptz NOT NULL,
                claimed_at timestamptz,
                dispatched_at timestamptz,
                cancelled_at timestamptz,
                retry text,
                step text,
                CONSTRAINT delayed_run_id UNIQUE (id),
                CONSTRAINT delayed_run_request_key UNIQUE (action_id, request_key)
            )
            """,
            // The scheduler's queue at start.
            "CREATE INDEX delayed_run_pending ON delayed_run (due_at) WHERE status = 'scheduled'",
            // Listing an action's runs (and deleting them with it).
            "CREATE INDEX delayed_run_action ON delayed_run (action_id, due_at)",
            // Cancel by key.
            "CREATE INDEX delayed_run_key ON delayed_run (action_id, key) WHERE status = 'scheduled'",
            // automated_action.scheduled_runs follows the runs entering and leaving 'scheduled'.
            """
            CREATE FUNCTION signalbox_count_scheduled_runs() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN
                    IF OLD.status = 'scheduled' THEN
                        UPDATE automated_action SET scheduled_runs = scheduled_runs - 1 WHERE id = OLD.action_id;
                    END IF;
                END IF;
                IF TG_OP <> 'DELETE' THEN
                    IF NEW.status = 'scheduled' THEN
                        UPDATE automated_action SET scheduled_runs = scheduled_runs + 1 WHERE id = NEW.action_id;
                    END IF;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER delayed_run_scheduled AFTER INSERT OR DELETE OR UPDATE OF status ON delayed_run
                FOR EACH ROW EXECUTE FUNCTION signalbox_count_scheduled_runs()
            """,

            // The events that retries of items reading them need again; pruned by age with the
            // history.
            """
            CREATE TABLE run_event (
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                source_event_id text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (action_id, source_event_id)
            )
            """,
            "CREATE INDEX run_event_created ON run_event (created_at)",
            // CloudEvents written with a run's close, deleted once the broker confirmed them.
            """
            CREATE TABLE notification_outbox (
                sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL,
                kind text NOT NULL,
                body text NOT NULL,
                created_at timestamptz NOT NULL,
                CONSTRAINT notification_outbox_id UNIQUE (id)
            )
            """,

            // runs_by_hour: a tenant's runs by the hour they started and their outcome now;
            // failures_by_hour: each action's failed runs by hour. Kept by triggers on every write
            // of the history, so statistics read a few hundred rows, never the history; they count
            // runs that happened, whatever history cleanup later deletes.
            """
            CREATE TABLE runs_by_hour (
                tenant_id text COLLATE "C" NOT NULL,
                hour bigint NOT NULL,
                outcome text NOT NULL,
                runs bigint NOT NULL,
                PRIMARY KEY (tenant_id, hour, outcome)
            )
            """,
            """
            CREATE TABLE failures_by_hour (
                action_id uuid NOT NULL REFERENCES automated_action (id) ON DELETE CASCADE,
                tenant_id text COLLATE "C" NOT NULL,
                hour bigint NOT NULL,
                failures bigint NOT NULL,
                PRIMARY KEY (action_id, hour)
            )
            """,
            // The top failing actions of a tenant in a window, from the index alone.
            "CREATE INDEX failures_by_hour_tenant ON failures_by_hour (tenant_id, hour, action_id) INCLUDE (failures)",
            // Counts a history row's run in runs_by_hour (moving it from its old outcome on an
            // update) and, when it failed, in failures_by_hour: SQLite's two count triggers.
            """
            CREATE FUNCTION signalbox_count_history() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                run_tenant text;
                run_hour bigint := floor(extract(epoch FROM NEW.date_started) / 3600);
            BEGIN
                SELECT tenant_id INTO run_tenant FROM automated_action WHERE id = NEW.action_id;
                IF TG_OP = 'UPDATE' THEN
                    UPDATE runs_by_hour SET runs = runs - 1
                        WHERE tenant_id = run_tenant AND hour = run_hour AND outcome = OLD.outcome;
                END IF;
                INSERT INTO runs_by_hour AS counted (tenant_id, hour, outcome, runs) VALUES (run_tenant, run_hour, NEW.outcome, 1)
                    ON CONFLICT (tenant_id, hour, outcome) DO UPDATE SET runs = counted.runs + 1;
                IF NEW.outcome = 'Failed' THEN
                    INSERT INTO failures_by_hour AS counted (action_id, tenant_id, hour, failures)
                        VALUES (NEW.action_id, run_tenant, run_hour, 1)
                        ON CONFLICT (action_id, hour) DO UPDATE SET failures = counted.failures + 1;
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER execution_history_counted_inserted AFTER INSERT ON execution_history
                FOR EACH ROW EXECUTE FUNCTION signalbox_count_history()
            """,
            """
            CREATE TRIGGER execution_history_counted_updated AFTER UPDATE OF outcome ON execution_history
                FOR EACH ROW WHEN (NEW.outcome IS DISTINCT FROM OLD.outcome) EXECUTE FUNCTION signalbox_count_history()
            """,
        ])

    /// The tables whose rows are definitions, with the columns whose change is a definition change.
    /// SQLite's lists predate `timing` (v11) and `at` (v9); its upserts write every column, so they
    /// bump anyway. Here the lists name them.
    private static let definitionColumns: [(table: String, columns: String)] = [
        ("automated_action", "tenant_id, namespace, name, description, status, items, policies, managed_by, defined_in, execution"),
        ("message_trigger", "action_id, id, position, name, is_enabled, trigger_type, event_filter, timing"),
        (
            "cron_schedule",
            """
            action_id, id, position, name, is_enabled, second, minute, hour, day_of_month, month, day_of_week, cron, at, \
            time_zone, missed_run_policy
            """
        ),
    ]

    /// Replicas hear each other's changes: row triggers `NOTIFY` the ``changesChannel`` in the
    /// writing transaction, so a notification is sent exactly when the change commits (whoever
    /// wrote it: a replica, a CLI) and never for one rolled back. Payloads are small JSON objects
    /// (PostgreSQL drops identical payloads within one transaction, so an action's many schedule
    /// rows make one notification):
    ///
    /// - `{"kind":"action","tenant":…,"action":…}`: an action, its schedules or its triggers changed.
    /// - `{"kind":"delayed","id":…,"tenant":…,"action":…,"due":<seconds since 1970>}`: a run was delayed.
    /// - `{"kind":"cancelled","id":…}`: a delayed run was cancelled.
    static let v2 = PostgresMigration(
        version: 2, name: "notifications of definition changes and delayed runs",
        statements: [
            """
            CREATE FUNCTION signalbox_notify_action_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                changed_action uuid;
                changed_tenant text;
            BEGIN
                IF TG_TABLE_NAME = 'automated_action' THEN
                    changed_action := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
                    changed_tenant := CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END;
                ELSE
                    changed_action := CASE WHEN TG_OP = 'DELETE' THEN OLD.action_id ELSE NEW.action_id END;
                    -- Gone with its action: the action's own notification covers it.
                    SELECT tenant_id INTO changed_tenant FROM automated_action WHERE id = changed_action;
                    IF changed_tenant IS NULL THEN RETURN NULL; END IF;
                END IF;
                PERFORM pg_notify('\(changesChannel)', json_build_object(
                    'kind', 'action', 'tenant', changed_tenant, 'action', changed_action)::text);
                RETURN NULL;
            END
            $$
            """,
            notifyTrigger(definitionColumns[0]),
            notifyTrigger(definitionColumns[1]),
            notifyTrigger(definitionColumns[2]),
            """
            CREATE FUNCTION signalbox_notify_delayed_run() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN
                    PERFORM pg_notify('\(changesChannel)', json_build_object(
                        'kind', 'delayed', 'id', NEW.id, 'tenant', NEW.tenant_id, 'action', NEW.action_id,
                        'due', extract(epoch FROM NEW.due_at))::text);
                ELSE
                    PERFORM pg_notify('\(changesChannel)', json_build_object('kind', 'cancelled', 'id', NEW.id)::text);
                END IF;
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER delayed_run_scheduled_notify AFTER INSERT ON delayed_run
                FOR EACH ROW WHEN (NEW.status = 'scheduled') EXECUTE FUNCTION signalbox_notify_delayed_run()
            """,
            """
            CREATE TRIGGER delayed_run_cancelled_notify AFTER UPDATE OF status ON delayed_run
                FOR EACH ROW WHEN (OLD.status = 'scheduled' AND NEW.status = 'cancelled') EXECUTE FUNCTION signalbox_notify_delayed_run()
            """,
        ])

    /// A row trigger notifying replicas when a row of `table` is inserted, deleted, or has one of
    /// `columns` set: the rows and columns that bump the definitions version.
    private static func notifyTrigger(_ definition: (table: String, columns: String)) -> String {
        """
        CREATE TRIGGER \(definition.table)_notify_changed AFTER INSERT OR DELETE OR UPDATE OF \(definition.columns) ON \(definition.table)
            FOR EACH ROW EXECUTE FUNCTION signalbox_notify_action_changed()
        """
    }

    /// A row trigger bumping `definitions_version` when a row of `table` is inserted, deleted, or
    /// has one of `columns` set (like SQLite's `UPDATE OF`, also when set to the same value).
    ///
    /// Deferred to the commit: every writer then takes the one hot row last, after its other
    /// locks (actions, counters), so writers that lock those in the store's order cannot deadlock
    /// on it; and a reader that sees the new version sees the committed definitions with it.
    private static func bumpTrigger(_ definition: (table: String, columns: String)) -> String {
        """
        CREATE CONSTRAINT TRIGGER \(definition.table)_definitions_changed AFTER INSERT OR DELETE OR UPDATE OF \(definition.columns) \
        ON \(definition.table)
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION signalbox_bump_definitions_version()
        """
    }
}
