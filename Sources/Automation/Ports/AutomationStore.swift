import Foundation

/// Persistence of the domain, whole: every role a store plays. `SQLiteStore` implements it on
/// GRDB; ``InMemoryAutomationStore`` for tests; the same contract tests run against each.
///
/// Users see roles, not the whole: each service takes the role(s) it uses, so that what it may
/// touch is in its type and a store for several replicas (PostgreSQL, issue 17) is written and
/// reviewed one role at a time:
/// - ``AccessStore``: tenants and API tokens;
/// - ``ActiveDefinitionStore``: the definitions as the engine runs them (trigger index, scheduler);
/// - ``DefinitionStore``: the definitions as the API edits them;
/// - ``SchedulerStateStore``: schedules' last fired occurrences and delayed runs;
/// - ``RunHistoryStore``: recording runs, and their history;
/// - ``RunStatisticsStore``: run counts for the statistics;
/// - ``HTTPOutboxStore``: requests of `webhook` items and their signing credentials;
/// - ``NotificationOutboxStore``: notifications waiting to be published.
///
/// Contract for implementations, of every role:
/// - **Tenant scoping.** Every method that takes a `tenant` sees only that tenant's rows: another
///   tenant's action is "not there" (nil, `false`, or `AutomationError.notFound`).
/// - **Errors.** Throw ``AutomationError`` for rule outcomes (`notFound`, `conflict`,
///   `limitExceeded`, `invalidInput` for a bad cursor); anything else (I/O, SQLite) may be any
///   error — the service reports it as `unavailable` without quoting it.
/// - **Atomicity.** Each method is one transaction; in particular a schedule insert checks the
///   limit and inserts atomically, and a completion closes the entry and updates the counters
///   atomically.
/// - **Derived field.** Whenever a method changes an action's schedules or status it stores
///   ``AutomatedAction/computedNextScheduledRunAt`` as `nextScheduledRunAt`, and returns the
///   action as stored.
/// - **Order.** Actions list by name; schedules and triggers keep insertion order; history is
///   newest first (`dateStarted` descending, ties by insertion, newest first).
public protocol AutomationStore:
    AccessStore, DefinitionStore, SchedulerStateStore, RunHistoryStore, RunStatisticsStore, HTTPOutboxStore, NotificationOutboxStore
{}
