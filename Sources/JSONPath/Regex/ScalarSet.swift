/// A character class: explicit ranges plus Unicode general-category tests, optionally negated.
struct ScalarSet: Sendable {
    struct CategoryTest: Sendable {
        var categories: [Unicode.GeneralCategory]
        var negated: Bool
    }

    var negated = false
    var ranges: [ClosedRange<UInt32>] = []
    var categories: [CategoryTest] = []

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        var hit = false
        for r in ranges where r.contains(v) {
            hit = true
            break
        }
        if !hit, !categories.isEmpty {
            let category = scalar.properties.generalCategory
            for test in categories where test.categories.contains(category) != test.negated {
                hit = true
                break
            }
        }
        return hit != negated
    }

    /// RFC 9485 `IsCategory` names (no `Cs`, no blocks).
    static func categories(named name: String) -> [Unicode.GeneralCategory]? {
        switch name {
        case "L": return [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter]
        case "Lu": return [.uppercaseLetter]
        case "Ll": return [.lowercaseLetter]
        case "Lt": return [.titlecaseLetter]
        case "Lm": return [.modifierLetter]
        case "Lo": return [.otherLetter]
        case "M": return [.nonspacingMark, .spacingMark, .enclosingMark]
        case "Mn": return [.nonspacingMark]
        case "Mc": return [.spacingMark]
        case "Me": return [.enclosingMark]
        case "N": return [.decimalNumber, .letterNumber, .otherNumber]
        case "Nd": return [.decimalNumber]
        case "Nl": return [.letterNumber]
        case "No": return [.otherNumber]
        case "P":
            return [
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                .finalPunctuation, .otherPunctuation,
            ]
        case "Pc": return [.connectorPunctuation]
        case "Pd": return [.dashPunctuation]
        case "Ps": return [.openPunctuation]
        case "Pe": return [.closePunctuation]
        case "Pi": return [.initialPunctuation]
        case "Pf": return [.finalPunctuation]
        case "Po": return [.otherPunctuation]
        case "Z": return [.spaceSeparator, .lineSeparator, .paragraphSeparator]
        case "Zs": return [.spaceSeparator]
        case "Zl": return [.lineSeparator]
        case "Zp": return [.paragraphSeparator]
        case "S": return [.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol]
        case "Sm": return [.mathSymbol]
        case "Sc": return [.currencySymbol]
        case "Sk": return [.modifierSymbol]
        case "So": return [.otherSymbol]
        case "C": return [.control, .format, .privateUse, .unassigned, .surrogate]
        case "Cc": return [.control]
        case "Cf": return [.format]
        case "Co": return [.privateUse]
        case "Cn": return [.unassigned]
        default: return nil
        }
    }
}
