import GRDB

/// The schema, one registered migration per version. Never edit a shipped migration: add the
/// next version instead (GRDB records applied identifiers in `grdb_migrations`).
///
/// Conventions: ids are lowercase UUID text (tenant ids are their own text), timestamps are
/// REAL seconds since 1970 (see ``StoredDate``), enums are their JSON raw values, action items
/// are a JSON array. Every index below serves a named query of ``SQLiteAutomationStore``.
enum StoreMigrations {
    /// Identifiers in order; the last is the current schema version.
    static let identifiers = [v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15, v16]

    static let v1 = "v1: tenants, tokens, actions, schedules, triggers, history"
    static let v2 = "v2: the last fired occurrence of each schedule"
    static let v3 = "v3: history without the id and dateStarted indexes"
    static let v4 = "v4: history looked up by 64-bit hashes of its key and process id"
    static let v5 = "v5: a version counter of the action, trigger and schedule definitions"
    static let v6 = "v6: idempotency keys of manual runs"
    static let v7 = "v7: webhook triggers and their credentials"
    static let v8 = "v8: signing secrets of actions and the outbox of their HTTP requests"
    static let v9 = "v9: one-time schedules"
    static let v10 = "v10: delayed runs"
    static let v11 = "v11: triggers that delay or cancel runs"
    static let v12 = "v12: retries, notifications and pausing after failures"
    static let v13 = "v13: running runs, results and run statistics"
    static let v14 = "v14: definitions managed by files"
    static let v15 = "v15: token expiry and last use"
    static let v16 = "v16: history unique on its idempotency key"

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
        migrator.registerMigration(v4) { db in
            // Random UUID text keys put each new row on a random page of two large indexes; their
            // 8-byte hashes make indexes a fifth of the size (see LookupHash). Measured with a
            // Python sqlite3 loop on this schema, 100k rows in batches of 500, WAL checkpointed
            // every 20k pages: 34k rows/s → 55k.
            try db.execute(sql: """
                ALTER TABLE executionHistory ADD COLUMN keyHash INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE executionHistory ADD COLUMN processHash INTEGER NOT NULL DEFAULT 0;
                """)
            db.add(function: DatabaseFunction("signalbox_key_hash", argumentCount: 3, pure: true) { values in
                LookupHash.key(
                    sourceEventId: String.fromDatabaseValue(values[0]) ?? "",
                    triggerId: String.fromDatabaseValue(values[1]),
                    itemIndex: Int.fromDatabaseValue(values[2]) ?? 0)
            })
            db.add(function: DatabaseFunction("signalbox_process_hash", argumentCount: 1, pure: true) { values in
                LookupHash.process(String.fromDatabaseValue(values[0]) ?? "")
            })
            try db.execute(sql: """
                UPDATE executionHistory
                SET keyHash = signalbox_key_hash(sourceEventId, triggerId, itemIndex),
                    processHash = signalbox_process_hash(processId);
                DROP INDEX executionHistory_idempotency;
                DROP INDEX executionHistory_process;
                -- The idempotency key (appendHistory compares the full key on a hash match).
                CREATE INDEX executionHistory_key ON executionHistory(keyHash);
                -- historyEntry(processId:), completeExecution(processId:) and completeExecutions.
                CREATE INDEX executionHistory_processHash ON executionHistory(processHash);
                """)
        }
        migrator.registerMigration(v5) { db in
            // definitionsVersion(): one row, bumped by triggers in the same transaction as any
            // change of a definition, by whichever process makes it, so that the trigger index
            // polls one integer instead of every definition. Counters (totalExecutions,
            // consecutiveFailures) and scheduler progress (nextScheduledRunAt, nextOccurrence,
            // lastFiredOccurrence) are not definitions and do not bump it.
            try db.execute(sql: """
                CREATE TABLE definitionsVersion (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO definitionsVersion (id, version) VALUES (1, 0);
                \(bumpTriggers(table: "automatedAction", updateOf: "tenantId, namespace, name, description, status, items"))
                \(bumpTriggers(table: "messageTrigger", updateOf: "actionId, id, position, name, isEnabled, triggerType, eventFilter"))
                \(bumpTriggers(table: "cronSchedule", updateOf: scheduleDefinitionColumns))
                """)
        }
        migrator.registerMigration(v6) { db in
            // record(_:) claims a key in the run's own transaction; the primary key makes two
            // claims of one key by concurrent requests (or replicas) meet in the schema.
            try db.execute(sql: """
                CREATE TABLE manualRunKey (
                    tenantId TEXT NOT NULL,
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    eventId TEXT NOT NULL,
                    createdAt REAL NOT NULL,
                    PRIMARY KEY (tenantId, actionId, key)
                );
                -- pruneManualRunKeys(createdBefore:).
                CREATE INDEX manualRunKey_created ON manualRunKey(createdAt);
                """)
        }
        migrator.registerMigration(v7) { db in
            // Webhooks are not read by the trigger index or the scheduler, so their changes do
            // not bump definitionsVersion. Calls look a webhook up by its id alone (the URL has
            // no tenant): hence the unique index on id.
            try db.execute(sql: """
                CREATE TABLE webhookTrigger (
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    id TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    isEnabled INTEGER NOT NULL,
                    filter TEXT,
                    allowSecretParameter INTEGER NOT NULL,
                    ratePerSecond REAL NOT NULL,
                    rateBurst INTEGER NOT NULL,
                    dateCreated REAL NOT NULL,
                    PRIMARY KEY (actionId, id)
                );
                -- webhookTarget(id:), and the credentials' parent key.
                CREATE UNIQUE INDEX webhookTrigger_id ON webhookTrigger(id);
                CREATE TABLE webhookCredentials (
                    webhookId TEXT PRIMARY KEY REFERENCES webhookTrigger(id) ON DELETE CASCADE,
                    secret TEXT NOT NULL,
                    previousSecret TEXT,
                    previousSecretExpiresAt REAL,
                    rotatedAt REAL
                );
                """)
        }
        migrator.registerMigration(v8) { db in
            // The outbox holds a `webhook` item's request from the transaction that records its
            // Pending entry to the one that closes it: what a restart sends again. Keyed by the
            // entry's process id, which the close knows.
            try db.execute(sql: """
                CREATE TABLE actionSigningCredentials (
                    actionId TEXT PRIMARY KEY REFERENCES automatedAction(id) ON DELETE CASCADE,
                    secret TEXT NOT NULL,
                    previousSecret TEXT,
                    previousSecretExpiresAt REAL,
                    rotatedAt REAL
                );
                CREATE TABLE httpOutbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    processId TEXT NOT NULL UNIQUE,
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    request TEXT NOT NULL
                );
                -- Deleting an action deletes its outbox rows.
                CREATE INDEX httpOutbox_action ON httpOutbox(actionId);
                """)
        }
        migrator.registerMigration(v9) { db in
            // A one-time schedule's instant as given; it fired when lastFiredOccurrence is set.
            try db.execute(sql: "ALTER TABLE cronSchedule ADD COLUMN at TEXT")
        }
        migrator.registerMigration(v10) { db in
            // A run asked for later: scheduled until its commands are confirmed (dispatched) or
            // it is cancelled; claimedAt marks one being dispatched (no longer cancellable).
            try db.execute(sql: """
                CREATE TABLE delayedRun (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    tenantId TEXT NOT NULL,
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    key TEXT,
                    requestKey TEXT,
                    dueAt REAL NOT NULL,
                    status TEXT NOT NULL,
                    payload TEXT,
                    dateCreated REAL NOT NULL,
                    claimedAt REAL,
                    dispatchedAt REAL,
                    cancelledAt REAL
                );
                -- The scheduler's queue at start.
                CREATE INDEX delayedRun_pending ON delayedRun(dueAt) WHERE status = 'scheduled';
                -- Listing an action's runs (and deleting them with it).
                CREATE INDEX delayedRun_action ON delayedRun(actionId, dueAt);
                -- Idempotency-Key of POST …/runs.
                CREATE UNIQUE INDEX delayedRun_requestKey ON delayedRun(actionId, requestKey) WHERE requestKey IS NOT NULL;
                -- Cancel by key.
                CREATE INDEX delayedRun_key ON delayedRun(actionId, key) WHERE status = 'scheduled';
                """)
        }
        migrator.registerMigration(v11) { db in
            // {"delay": {...}} or {"cancels": {...}} as JSON; NULL for a trigger that runs at once.
            try db.execute(sql: "ALTER TABLE messageTrigger ADD COLUMN timing TEXT")
            try db.execute(sql: "ALTER TABLE webhookTrigger ADD COLUMN timing TEXT")
        }
        migrator.registerMigration(v12) { db in
            // policies: {"retryPolicy", "notification", "pauseAfterConsecutiveFailures"} as JSON. The
            // planner reads them (whether a run keeps its event for retries), so a change bumps
            // definitionsVersion like the other definition columns.
            // runEvent: the events retries of items that read them need again. notificationOutbox:
            // CloudEvents written with the close, deleted once the broker confirmed them.
            try db.execute(sql: """
                ALTER TABLE automatedAction ADD COLUMN policies TEXT;
                ALTER TABLE automatedAction ADD COLUMN pausedReason TEXT;
                ALTER TABLE automatedAction ADD COLUMN pausedAt REAL;
                ALTER TABLE executionHistory ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
                ALTER TABLE executionHistory ADD COLUMN retryOf TEXT;
                ALTER TABLE delayedRun ADD COLUMN retry TEXT;
                CREATE TABLE runEvent (
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    sourceEventId TEXT NOT NULL,
                    body TEXT NOT NULL,
                    createdAt REAL NOT NULL,
                    PRIMARY KEY (actionId, sourceEventId)
                );
                -- Pruned by age with the history.
                CREATE INDEX runEvent_created ON runEvent(createdAt);
                CREATE TABLE notificationOutbox (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    kind TEXT NOT NULL,
                    body TEXT NOT NULL,
                    createdAt REAL NOT NULL
                );
                -- The scheduled delayed runs of each action, for the per-action limit: kept by
                -- triggers, so that no insert counts the action's backlog.
                ALTER TABLE automatedAction ADD COLUMN scheduledRuns INTEGER NOT NULL DEFAULT 0;
                UPDATE automatedAction SET scheduledRuns =
                    (SELECT count(*) FROM delayedRun WHERE actionId = automatedAction.id AND status = 'scheduled');
                CREATE TRIGGER delayedRun_scheduled_inserted AFTER INSERT ON delayedRun WHEN NEW.status = 'scheduled'
                    BEGIN UPDATE automatedAction SET scheduledRuns = scheduledRuns + 1 WHERE id = NEW.actionId; END;
                CREATE TRIGGER delayedRun_scheduled_updated AFTER UPDATE OF status ON delayedRun
                    WHEN (OLD.status = 'scheduled') != (NEW.status = 'scheduled')
                    BEGIN UPDATE automatedAction
                        SET scheduledRuns = scheduledRuns + CASE WHEN NEW.status = 'scheduled' THEN 1 ELSE -1 END
                        WHERE id = NEW.actionId; END;
                CREATE TRIGGER delayedRun_scheduled_deleted AFTER DELETE ON delayedRun WHEN OLD.status = 'scheduled'
                    BEGIN UPDATE automatedAction SET scheduledRuns = scheduledRuns - 1 WHERE id = OLD.actionId; END;
                DROP TRIGGER automatedAction_updated;
                CREATE TRIGGER automatedAction_updated
                    AFTER UPDATE OF tenantId, namespace, name, description, status, items, policies ON automatedAction
                    BEGIN UPDATE definitionsVersion SET version = version + 1; END;
                """)
        }
        migrator.registerMigration(v13) { db in
            // runsByHour: the tenant's runs by the hour they started and their outcome now;
            // failuresByHour: each action's failed runs by hour. Both kept by triggers on every
            // write of the history, so statistics read a few hundred rows, never the history;
            // they count runs that happened, whatever history cleanup later deletes.
            // The action index grows outcome and dateCompleted: an action's statistics (counts,
            // durations) read the index alone.
            try db.execute(sql: """
                ALTER TABLE executionHistory ADD COLUMN dateRunning REAL;
                ALTER TABLE executionHistory ADD COLUMN result TEXT;
                DROP INDEX executionHistory_action;
                CREATE INDEX executionHistory_action
                    ON executionHistory(actionId, dateStarted DESC, sequence DESC, outcome, dateCompleted);
                CREATE TABLE runsByHour (
                    tenantId TEXT NOT NULL,
                    hour INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    runs INTEGER NOT NULL,
                    PRIMARY KEY (tenantId, hour, outcome)
                ) WITHOUT ROWID;
                CREATE TABLE failuresByHour (
                    actionId TEXT NOT NULL REFERENCES automatedAction(id) ON DELETE CASCADE,
                    tenantId TEXT NOT NULL,
                    hour INTEGER NOT NULL,
                    failures INTEGER NOT NULL,
                    PRIMARY KEY (actionId, hour)
                ) WITHOUT ROWID;
                -- The top failing actions of a tenant in a window, from the index alone.
                CREATE INDEX failuresByHour_tenant ON failuresByHour(tenantId, hour, actionId, failures);
                INSERT INTO runsByHour (tenantId, hour, outcome, runs)
                    SELECT a.tenantId, CAST(h.dateStarted / 3600 AS INTEGER), h.outcome, count(*)
                    FROM executionHistory h JOIN automatedAction a ON a.id = h.actionId GROUP BY 1, 2, 3;
                INSERT INTO failuresByHour (actionId, tenantId, hour, failures)
                    SELECT h.actionId, a.tenantId, CAST(h.dateStarted / 3600 AS INTEGER), count(*)
                    FROM executionHistory h JOIN automatedAction a ON a.id = h.actionId WHERE h.outcome = 'Failed' GROUP BY 1, 2, 3;
                \(countTrigger(event: "INSERT", name: "executionHistory_counted_inserted", when: "1"))
                \(countTrigger(event: "UPDATE OF outcome", name: "executionHistory_counted_updated", when: "NEW.outcome != OLD.outcome"))
                -- How the items run: 'parallel' or 'sequential' (docs/sequences.md); a sequence's
                -- next item is a delayed run whose target is in delayedRun.step.
                ALTER TABLE automatedAction ADD COLUMN execution TEXT NOT NULL DEFAULT 'parallel';
                ALTER TABLE delayedRun ADD COLUMN step TEXT;
                """)
        }
        migrator.registerMigration(v14) { db in
            // managedBy: 'file' for actions applied from `serve --definitions`, NULL otherwise;
            // definedIn: their file, relative to the directory. Both are definition columns (a
            // change bumps definitionsVersion), so the trigger is re-created with them.
            try db.execute(sql: """
                ALTER TABLE automatedAction ADD COLUMN managedBy TEXT;
                ALTER TABLE automatedAction ADD COLUMN definedIn TEXT;
                DROP TRIGGER automatedAction_updated;
                CREATE TRIGGER automatedAction_updated
                    AFTER UPDATE OF tenantId, namespace, name, description, status, items, policies, managedBy, definedIn, execution
                    ON automatedAction
                    BEGIN UPDATE definitionsVersion SET version = version + 1; END;
                """)
        }
        migrator.registerMigration(v15) { db in
            // expiresAt: NULL never; lastUsedAt: written at most once a minute per token.
            try db.execute(sql: """
                ALTER TABLE apiToken ADD COLUMN expiresAt REAL;
                ALTER TABLE apiToken ADD COLUMN lastUsedAt REAL;
                """)
        }
        migrator.registerMigration(v16) { db in
            // Exactly-once history rested on record(_:) looking a key up before inserting it,
            // which holds only while every writer of the file is this code in one transaction.
            // The schema says it instead, so that any number of writers (replicas, another
            // store) can record one run and a single row exists: record(_:) inserts with
            // ON CONFLICT DO NOTHING on this index. It replaces the keyHash index (v4) as the
            // lookup by key. Measured with a Python sqlite3 loop, 100k rows in batches of 500,
            // synchronous off: check-then-insert on keyHash and this insert both ran 24k–30k
            // rows/s on this machine (noise larger than the difference).
            //
            // A file may hold duplicates already (two writers that raced before this): the
            // earliest row of each key stays; the later ones go, uncounted from the hourly
            // counts they were added to (as forgetHistory does), their outbox requests with them.
            try db.execute(sql: """
                CREATE TEMPORARY TABLE historyDuplicate AS
                    SELECT h.sequence, h.actionId, h.processId, a.tenantId, CAST(h.dateStarted / 3600 AS INTEGER) AS hour, h.outcome
                    FROM executionHistory h JOIN automatedAction a ON a.id = h.actionId
                    WHERE h.sequence NOT IN (
                        SELECT min(sequence) FROM executionHistory GROUP BY sourceEventId, ifnull(triggerId, ''), itemIndex);
                UPDATE runsByHour SET runs = runs - (
                    SELECT count(*) FROM historyDuplicate d
                    WHERE d.tenantId = runsByHour.tenantId AND d.hour = runsByHour.hour AND d.outcome = runsByHour.outcome)
                WHERE (tenantId, hour, outcome) IN (SELECT tenantId, hour, outcome FROM historyDuplicate);
                UPDATE failuresByHour SET failures = failures - (
                    SELECT count(*) FROM historyDuplicate d
                    WHERE d.actionId = failuresByHour.actionId AND d.hour = failuresByHour.hour AND d.outcome = 'Failed')
                WHERE (actionId, hour) IN (SELECT actionId, hour FROM historyDuplicate WHERE outcome = 'Failed');
                -- Only hours with failures have rows (the statistics' top failing actions).
                DELETE FROM failuresByHour WHERE failures <= 0;
                DELETE FROM executionHistory WHERE sequence IN (SELECT sequence FROM historyDuplicate);
                DELETE FROM httpOutbox WHERE processId IN (SELECT processId FROM historyDuplicate)
                    AND NOT EXISTS (SELECT 1 FROM executionHistory h WHERE h.processId = httpOutbox.processId);
                DROP TABLE historyDuplicate;
                -- The idempotency key (ExecutionHistoryEntry.idempotencyKey). A manual run has no
                -- trigger id; ifnull makes two such NULLs equal, as the key's equality does.
                CREATE UNIQUE INDEX executionHistory_idempotency
                    ON executionHistory(sourceEventId, ifnull(triggerId, ''), itemIndex);
                DROP INDEX executionHistory_key;
                """)
        }
        return migrator
    }

    private static let scheduleDefinitionColumns = """
        actionId, id, position, name, isEnabled, second, minute, hour, dayOfMonth, month, dayOfWeek, cron, \
        timeZone, missedRunPolicy
        """

    /// A trigger counting a history row's run in `runsByHour` (moving it from its old outcome on
    /// an update) and, when it failed, in `failuresByHour`.
    private static func countTrigger(event: String, name: String, when condition: String) -> String {
        let tenant = "(SELECT tenantId FROM automatedAction WHERE id = NEW.actionId)"
        let hour = "CAST(NEW.dateStarted / 3600 AS INTEGER)"
        let uncount = event.hasPrefix("UPDATE") ? """
            UPDATE runsByHour SET runs = runs - 1
                WHERE tenantId = \(tenant) AND hour = \(hour) AND outcome = OLD.outcome;
            """ : ""
        return """
            CREATE TRIGGER \(name) AFTER \(event) ON executionHistory WHEN \(condition) BEGIN
                \(uncount)
                INSERT INTO runsByHour (tenantId, hour, outcome, runs) SELECT \(tenant), \(hour), NEW.outcome, 1 WHERE 1
                    ON CONFLICT (tenantId, hour, outcome) DO UPDATE SET runs = runs + 1;
                INSERT INTO failuresByHour (actionId, tenantId, hour, failures)
                    SELECT NEW.actionId, \(tenant), \(hour), 1 WHERE NEW.outcome = 'Failed'
                    ON CONFLICT (actionId, hour) DO UPDATE SET failures = failures + 1;
            END;
            """
    }

    /// Triggers that bump `definitionsVersion` when a row of `table` is inserted, deleted, or has
    /// one of the `updateOf` columns set.
    private static func bumpTriggers(table: String, updateOf columns: String) -> String {
        let bump = "BEGIN UPDATE definitionsVersion SET version = version + 1; END;"
        return """
            CREATE TRIGGER \(table)_inserted AFTER INSERT ON \(table) \(bump)
            CREATE TRIGGER \(table)_deleted AFTER DELETE ON \(table) \(bump)
            CREATE TRIGGER \(table)_updated AFTER UPDATE OF \(columns) ON \(table) \(bump)
            """
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
