import AMQPClient

extension AMQPConfiguration {
    /// How long the tests' own connections wait for one broker RPC. About a hundred tests run at
    /// once against the one test broker, and in CI deleting their quorum queues together took
    /// longer than the service's 10 s default; no test's outcome depends on this bound.
    public static let testRPCTimeout: Duration = .seconds(60)

    /// A connection to the tests' broker at `url`, named `name`, with the tests' RPC bound.
    public static func testBroker(_ url: String, name: String) throws(AMQPError) -> AMQPConfiguration {
        var configuration = try AMQPConfiguration(url: url)
        configuration.connectionName = name
        configuration.rpcTimeout = testRPCTimeout
        return configuration
    }
}
