@testable import JSONPath

/// The JSONPath query and trigger-filter parser (one QueryParser, two entry points), then the
/// evaluator on small fixed documents:
/// - a syntax error's line, column and span lie inside the text;
/// - evaluation under a budget either answers or throws `EvaluationBudgetExceeded` naming that
///   budget; an answer under a small budget is the answer under the default one;
/// - `explain` agrees with `evaluate`;
/// - a query's `values` are its `select` values, and each selected node's normalized path, read
///   back as a query, selects exactly that value.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilterParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = text(data, size)
    do {
        let filter = try TriggerFilter(parsing: source)
        let scalars = source.unicodeScalars.count
        for warning in filter.warnings where warning.line < 1 || warning.column < 1 || warning.span.upperBound > scalars {
            propertyFailed("warning span \(warning.span) outside \(scalars) scalars: \(warning.message)")
        }
        for document in FilterFuzzDocuments.all { checkFilter(filter, on: document) }
    } catch {
        checkPosition(error, in: source)
    }
    do {
        let query = try JSONPathQuery(parsing: source)
        for document in FilterFuzzDocuments.all { checkQuery(query, on: document) }
    } catch {
        checkPosition(error, in: source)
    }
    return 0
}

enum FilterFuzzDocuments {
    static let smallBudget = 64

    static let all: [JSONValue] = [
        #"{"type":"AppProcessUpdated","item":{"id":"p-1","appId":"app-7","status":"Finished","durationMs":1234,"ratio":0.5,"tags":["nightly","eu"],"result":{"rows":10,"ok":true,"none":null}},"list":[1,2.0,"2",[3],{"a":{"b":[{"c":"x"}]}}],"é":"ü","":"empty","p":"^[a-z]+-[0-9]$"}"#,
        #"[[[[[[1]]]],{"a":[{"a":[{"a":1}]}]}],"a.b",-0.0,1e300,9007199254740993,"\ud83d\ude00"]"#,
    ].map { try! JSONParser.parse($0) }
}

func checkFilter(_ filter: TriggerFilter, on document: JSONValue) {
    let answer: Bool?
    do {
        answer = try filter.evaluate(document)
    } catch {
        guard error.limit == EvaluationBudget.defaultLimit else { propertyFailed("budget error names \(error.limit)") }
        answer = nil
    }
    do {
        let small = try filter.evaluate(document, budget: FilterFuzzDocuments.smallBudget)
        guard small == answer else {
            propertyFailed("\(filter.text): \(small) under budget \(FilterFuzzDocuments.smallBudget), \(String(describing: answer)) under the default")
        }
    } catch {
        guard error.limit == FilterFuzzDocuments.smallBudget else { propertyFailed("budget error names \(error.limit)") }
    }
    do {
        let explanation = try filter.explain(document, maximumBytes: 512)
        guard explanation.result == answer else {
            propertyFailed("\(filter.text): explain says \(explanation.result), evaluate \(String(describing: answer))")
        }
    } catch {
        guard answer == nil else { propertyFailed("\(filter.text): explain exceeded the budget, evaluate did not") }
    }
}

func checkQuery(_ query: JSONPathQuery, on document: JSONValue) {
    let nodes: [JSONPathNode]
    do {
        nodes = try query.select(in: document)
    } catch {
        do {
            let values = try query.values(in: document)
            propertyFailed("\(query.text): values answered (\(values.count)) where select exceeded the budget")
        } catch {}
        return
    }
    do {
        let values = try query.values(in: document)
        guard values == nodes.map(\.value) else { propertyFailed("\(query.text): values differ from select") }
    } catch {
        propertyFailed("\(query.text): values exceeded the budget where select did not")
    }
    if query.isSingular, nodes.count > 1 { propertyFailed("\(query.text): singular query selected \(nodes.count) nodes") }
    for node in nodes.prefix(8) {
        let pathText = node.path.description
        guard let path = try? JSONPathQuery(parsing: pathText), path.isSingular else {
            propertyFailed("normalized path \(pathText) is not a singular query")
        }
        guard let selected = try? path.values(in: document), selected.count == 1, selected[0] == node.value else {
            propertyFailed("normalized path \(pathText) does not select its node")
        }
    }
}

func checkPosition(_ error: JSONPathError, in source: String) {
    let scalars = source.unicodeScalars.count
    // An error at the end of the text may point one past it (where something was expected).
    guard error.line >= 1, error.column >= 1, error.span.lowerBound >= 0, error.span.lowerBound <= scalars,
        error.span.upperBound <= scalars + 1
    else {
        propertyFailed("error position \(error.line):\(error.column) span \(error.span) outside \(scalars) scalars: \(error)")
    }
}
