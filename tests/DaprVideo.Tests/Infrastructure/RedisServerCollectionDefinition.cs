namespace DaprVideo.Tests.Infrastructure;

/// <summary>
/// Tests that need a real redis-server join this collection so one server serves the whole run:
/// <c>[Collection(RedisServerCollectionDefinition.Name)]</c> and take <see cref="RedisServerFixture"/> in the constructor.
/// Each test uses its own stream names, so they do not see each other's data.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RedisServerCollectionDefinition : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "Redis server";
}
