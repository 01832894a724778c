import GRDB

/// The schema, one registered migration per version. Never edit a shipped migration: add the
/// next version instead (GRDB records applied identifiers in `grdb_migrations`).
///
/// Conventions: ids are lowercase UUID text (tenant ids are their own text), timestamps are
/// REAL seconds since 1970 (see ``StoredDate``), enums are their JSON raw values, action items
/// are a JSON array. Every index below serves a named query of ``SQLiteAutomationStore``.
enum StoreMigrations {
    /// Identifiers in order; the last is the current schema version.
    static let identifiers = [v1, v2, v3]

    static let v1 = "v1: tenants, tokens, actions, schedules, triggers, history"
    static let v2 = "v2: the last fired occurrence of each schedule"
    static let v3 = "v3: history without the id and dateStarted indexes"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(v1) { db in
            try db.execute(sql: schemaV1)
        }
        migrator.registerMigration(v2) { db in
            // Scheduler state, not part of the definition: ScheduleRecord does not write it, so
            // the upserts of API changes keep it, and it goes with its schedule row.
            try db.execute(sql: "ALTER TABLE cronSchedule ADD COLUMN lastFiredOccurrence REAL")
        }
        migrator.registerMigration(v3) { db in
            // Every event and occurrence writes a history row, so each index costs throughput
            // (on this schema 100k rows in batches of 250: 10k rows/s with five indexes, 18k with
            // three). No query looks history up by id (ids derive from the idempotency key, which
            // stays unique), and the hourly age pruning can scan.
            try db.execute(sql: "DROP INDEX executionHistory_id")
            try db.execute(sql: "DROP INDEX executionHistory_started")
        }
        return migrator
    }

    private static let schemaV1 = """
        CREATE TABLE tenant (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL,
            dateCreated REAL NOT NULL
        );

        CREATE TABLE apiToken (
            id TEXT PRIMARY KEY NOT NULL,
            tenantId TEXT NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            name TEXT,
            secretHash TEXT NOT NULL,
            dateCreated REAL NOT NULL
        );
        -- token(secretHash:): the lookup behind every request.
        CREATE UNIQUE INDEX apiToken_secretHash ON apiToken(secretHash);
        -- tokens(tenant:), listed by creation.
        CREATE INDEX apiToken_tenant ON apiToken(tenantId, dateCreated, id);

        -- Not a foreign key to tenant: the port lets an action name a tenant that has no row
        -- (the default tenant is created lazily by the service), as the in-memory store does.
        CREATE TABLE automatedAction (
            id TEXT PRIMARY KEY NOT NULL,
            tenantId TEXT NOT NULL,
            namespace TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT,
            status TEXT NOT NULL,
            items TEXT NOT NULL,
            nextScheduledRunAt REAL,
            totalExecutions INTEGER NOT NULL DEFAULT 0,
            consecutiveFailures INTEGER NOT NULL DEFAULT 0,
            dateCreated REAL NOT NULL,
            dateUpdated REAL NOT NULL
        );
        -- Names are unique per namespace; also serves action(named:), actions(namespace:) by
        -- name with the name cursor, and the pipeline queries ordered by tenant, namespace, name.
        CREATE UNIQUE INDEX automatedAction_name ON automatedAction(tenantId, namespace, name);

        CREATE TABLE cronSchedule (
            actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            isEnabled BOOLEAN NOT NULL,
            second TEXT,
            minute TEXT,
            hour TEXT,
            dayOfMonth TEXT,
            month TEXT,
            dayOfWeek TEXT,
            cron TEXT,
            timeZone TEXT NOT NULL,
            missedRunPolicy TEXT NOT NULL,
            nextOccurrence REAL,
            dateCreated REAL NOT NULL,
            PRIMARY KEY (actionId, id)
        );
        -- An action's schedules in order (loading the aggregate).
        CREATE INDEX cronSchedule_action ON cronSchedule(actionId, position);
        -- actionsWithEnabledSchedules: the scheduler and the calendar view.
        CREATE INDEX cronSchedule_enabled ON cronSchedule(actionId) WHERE isEnabled;

        CREATE TABLE messageTrigger (
            actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            isEnabled BOOLEAN NOT NULL,
            triggerType TEXT NOT NULL,
            eventFilter TEXT NOT NULL,
            PRIMARY KEY (actionId, id)
        );
        -- An action's triggers in order (loading the aggregate).
        CREATE INDEX messageTrigger_action ON messageTrigger(actionId, position);
        -- actionsWithEnabledTriggers (building the trigger index), and enabled triggers by type.
        CREATE INDEX messageTrigger_enabledByType ON messageTrigger(triggerType, actionId) WHERE isEnabled;

        CREATE TABLE executionHistory (
            sequence INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL,
            actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
            triggerType TEXT NOT NULL,
            triggerId TEXT,
            processId TEXT NOT NULL,
            processType TEXT NOT NULL,
            dateStarted REAL NOT NULL,
            dateCompleted REAL,
            outcome TEXT NOT NULL,
            errorMessage TEXT,
            sourceEventId TEXT NOT NULL,
            itemIndex INTEGER NOT NULL
        );
        CREATE UNIQUE INDEX executionHistory_id ON executionHistory(id);
        -- The idempotency key (ExecutionHistoryEntry.idempotencyKey). A manual run has no
        -- trigger id; ifnull makes two such NULLs equal, as the key's equality does.
        CREATE UNIQUE INDEX executionHistory_idempotency
            ON executionHistory(sourceEventId, ifnull(triggerId, ''), itemIndex);
        -- history(actionId:page:) newest first with the (dateStarted, sequence) cursor, and the
        -- per-action ranking of pruneHistory(keepLastPerAction:).
        CREATE INDEX executionHistory_action
            ON executionHistory(actionId, dateStarted DESC, sequence DESC);
        -- historyEntry(processId:) and completeExecution(processId:).
        CREATE INDEX executionHistory_process ON executionHistory(processId);
        -- pruneHistory(startedBefore:).
        CREATE INDEX executionHistory_started ON executionHistory(dateStarted);
        """
}
