import Foundation

extension ProcessStartCommand {
    /// The JSON payload of a command.
    ///
    /// ```json
    /// {"commandId": "…", "processId": "…", "tenantId": "acme", "namespace": "production",
    ///  "automatedAction": {"id": "…", "name": "daily-report"},
    ///  "item": {"index": 0, "name": "Generate Report"},
    ///  "trigger": {"type": "Message", "id": "…", "eventType": "AppProcessUpdated",
    ///              "sourceEventId": "…"},
    ///  "config": {"$type": "app", "version": {"id": "…", "version": 1}, "inputs": […]}}
    /// ```
    /// `interaction-message` commands add `interactionProcessId`, the id read from the event; an
    /// item with `runAs` adds `runAs`, the user the process acts as.
    public struct Body: Hashable, Sendable, Codable {
        public var commandId: CommandID
        public var processId: ProcessID
        public var tenantId: TenantID
        /// The action's namespace.
        public var namespace: NamespaceName
        public var automatedAction: Action
        public var item: Item
        public var trigger: Trigger
        /// The item's config as defined, `$type` included.
        public var config: ActionConfig
        /// For `interaction-message`: the running interaction the message goes to, taken from
        /// the event by `interactionProcessIdFromEvent`.
        public var interactionProcessId: String?
        /// The item's ``ActionItem/runAs``: the user the started process acts as.
        public var runAs: String?

        public init(
            commandId: CommandID,
            processId: ProcessID,
            tenantId: TenantID,
            namespace: NamespaceName,
            automatedAction: Action,
            item: Item,
            trigger: Trigger,
            config: ActionConfig,
            interactionProcessId: String? = nil,
            runAs: String? = nil
        ) {
            self.runAs = runAs
            self.commandId = commandId
            self.processId = processId
            self.tenantId = tenantId
            self.namespace = namespace
            self.automatedAction = automatedAction
            self.item = item
            self.trigger = trigger
            self.config = config
            self.interactionProcessId = interactionProcessId
        }

        /// The action that ran.
        public struct Action: Hashable, Sendable, Codable {
            public var id: ActionID
            public var name: String

            public init(id: ActionID, name: String) {
                self.id = id
                self.name = name
            }
        }

        /// The item the command is for.
        public struct Item: Hashable, Sendable, Codable {
            public var index: Int
            public var name: String

            public init(index: Int, name: String) {
                self.index = index
                self.name = name
            }
        }

        /// What caused the run.
        public struct Trigger: Hashable, Sendable, Codable {
            /// `Message`, `Schedule` or `Manual`.
            public var type: ExecutionTriggerType
            /// The message trigger, schedule or webhook; absent for manual runs.
            public var id: ExecutionSourceID?
            /// For message runs, the ProcessUpdated type that matched.
            public var eventType: TriggerType?
            /// The source event: AMQP message-id, `scheduleId@occurrence`, the manual run's id or the webhook call's (``Event/webhookEventID(_:messageID:)``).
            public var sourceEventId: String
            /// For schedule runs, the instant the occurrence was due (not when it fired).
            public var scheduledAt: Date?

            public init(
                type: ExecutionTriggerType,
                id: ExecutionSourceID?,
                eventType: TriggerType? = nil,
                sourceEventId: String,
                scheduledAt: Date? = nil
            ) {
                self.type = type
                self.id = id
                self.eventType = eventType
                self.sourceEventId = sourceEventId
                self.scheduledAt = scheduledAt
            }
        }
    }
}
