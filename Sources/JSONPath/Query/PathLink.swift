/// A persistent linked path, so selecting thousands of nodes shares path prefixes instead of
/// copying arrays; turned into a ``NormalizedPath`` only for results.
final class PathLink: Sendable {
    let parent: PathLink?
    let element: PathElement

    init(parent: PathLink?, element: PathElement) {
        self.parent = parent
        self.element = element
    }

    static func elements(of link: PathLink?) -> [PathElement] {
        var result: [PathElement] = []
        var current = link
        while let node = current {
            result.append(node.element)
            current = node.parent
        }
        return result.reversed()
    }
}
