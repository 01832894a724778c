import Automation
import Foundation
import Hummingbird

/// `GET /tokens`, `POST /tokens`, `DELETE /tokens/{tokenId}` (admins of the tenant): tokens are
/// created with their secret shown once, listed without it, and revoked.
extension SignalboxAPI {
    func addTokenRoutes(to api: RouterGroup<APIRequestContext>) {
        api.get("/tokens") { request, context in
            let caller = try context.requireCaller()
            let page = try await service.tokens(page: try request.pageRequest(), as: caller)
            return JSONResponse.make(PageResponse(items: page.items.map(TokenBody.init), nextCursor: page.nextCursor))
        }
        api.post("/tokens") { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decodeJSON(CreateTokenRequest.self, context: context)
            let issued = try await service.issueToken(role: body.role, name: body.name, expiresAt: body.expiresAt, as: caller)
            return JSONResponse.make(CreatedTokenBody(token: TokenBody(issued.token), secret: issued.secret), status: .created)
        }
        api.delete("/tokens/{tokenId}") { _, context in
            let caller = try context.requireCaller()
            try await service.revokeToken(try context.pathID("tokenId", as: TokenID.self), as: caller)
            return JSONResponse.noContent()
        }
    }
}

/// Body of `POST /tokens`.
struct CreateTokenRequest: Decodable {
    var role: Role
    var name: String?
    /// When it stops working (RFC 3339); absent: never.
    var expiresAt: Date?
}

/// A token as listed: never its secret or its hash.
struct TokenBody: Encodable {
    var id: TokenID
    var name: String?
    var role: Role
    var dateCreated: Date
    var lastUsedAt: Date?
    var expiresAt: Date?

    init(_ token: APIToken) {
        id = token.id
        name = token.name
        role = token.role
        dateCreated = token.dateCreated
        lastUsedAt = token.lastUsedAt
        expiresAt = token.expiresAt
    }

    enum CodingKeys: String, CodingKey { case id, name, role, dateCreated, lastUsedAt, expiresAt }

    /// Absent values as explicit nulls, like every response.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(role, forKey: .role)
        try container.encode(dateCreated, forKey: .dateCreated)
        try container.encode(lastUsedAt, forKey: .lastUsedAt)
        try container.encode(expiresAt, forKey: .expiresAt)
    }
}

/// `POST /tokens`' answer: the token and its secret, the only time the secret is shown.
struct CreatedTokenBody: Encodable {
    var token: TokenBody
    var secret: String

    enum CodingKeys: String, CodingKey { case secret }

    func encode(to encoder: any Encoder) throws {
        try token.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(secret, forKey: .secret)
    }
}
