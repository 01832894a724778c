/// Publisher-confirm bookkeeping for one channel in confirm mode.
///
/// rabbitmq-c 0.11 leaves this to the caller: publishes are numbered from 1 per channel, the broker
/// acks or nacks them, possibly several at once (`multiple`), and a mandatory message that could not
/// be routed comes back as `basic.return` just before its ack. A pure value, unit-tested on its own.
struct ConfirmTracker<Token> {
    enum Outcome: Equatable {
        case confirmed
        case nacked
        case returned(replyCode: UInt16, replyText: String)
    }

    private struct Entry {
        var token: Token
        var returned: (replyCode: UInt16, replyText: String)?
    }

    /// Slot `i` (from `head`) holds sequence number `firstSequence + i`; nil once resolved.
    private var slots: [Entry?] = []
    private var head = 0
    private var firstSequence: UInt64 = 1
    private(set) var outstanding = 0

    var nextSequence: UInt64 { firstSequence + UInt64(slots.count - head) }

    /// Records a publish; returns its sequence number.
    mutating func register(_ token: Token) -> UInt64 {
        let sequence = nextSequence
        slots.append(Entry(token: token))
        outstanding += 1
        return sequence
    }

    /// Resolves an ack or nack from the broker. Unknown or already resolved tags yield nothing.
    mutating func resolve(tag: UInt64, multiple: Bool, nack: Bool) -> [(token: Token, outcome: Outcome)] {
        guard tag >= firstSequence, tag < nextSequence else { return [] }
        var resolved: [(token: Token, outcome: Outcome)] = []
        let lastIndex = head + Int(tag - firstSequence)
        let range = multiple ? head...lastIndex : lastIndex...lastIndex
        for index in range {
            guard let entry = slots[index] else { continue }
            let outcome: Outcome
            if nack {
                outcome = .nacked
            } else if let returned = entry.returned {
                outcome = .returned(replyCode: returned.replyCode, replyText: returned.replyText)
            } else {
                outcome = .confirmed
            }
            resolved.append((entry.token, outcome))
            slots[index] = nil
            outstanding -= 1
        }
        compact()
        return resolved
    }

    /// Marks the oldest unresolved, not yet returned publish that `matches` as returned. Returns
    /// arrive in publish order and before their ack, so the oldest match is the one.
    mutating func markReturned(replyCode: UInt16, replyText: String, where matches: (Token) -> Bool) -> Bool {
        for index in head..<slots.count {
            guard let entry = slots[index], entry.returned == nil, matches(entry.token) else { continue }
            slots[index]?.returned = (replyCode, replyText)
            return true
        }
        return false
    }

    /// Removes every unresolved publish, oldest first, and starts numbering at 1 again (a new channel).
    mutating func drain() -> [Token] {
        let tokens = slots[head...].compactMap { $0?.token }
        self = ConfirmTracker()
        return tokens
    }

    private mutating func compact() {
        while head < slots.count, slots[head] == nil {
            head += 1
            firstSequence += 1
        }
        if head == slots.count {
            slots.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024, head * 2 > slots.count {
            slots.removeFirst(head)
            head = 0
        }
    }
}
