using System.Reflection;
using DaprVideo.Tests.Browser;
using DaprVideo.Tests.Infrastructure;

namespace DaprVideo.Tests.TestSupport;

/// <summary>
/// <c>./test.sh --fast</c> runs everything not marked <c>[Trait("Speed", "Slow")]</c> and installs no Ceph, Redis or
/// Chromium, so a test class that needs one of them must carry the mark; otherwise the fast loop would fail.
/// </summary>
public sealed class SlowTraitTests
{
    private static readonly string[] InfrastructureCollections = [CephRgwCollectionDefinition.Name, RedisServerCollectionDefinition.Name];

    private static readonly Type[] InfrastructureFixtures = [typeof(CephRgwFixture), typeof(RedisServerFixture), typeof(RtspServerFixture), typeof(ViewerStreamFixture)];

    [Fact]
    public void Every_test_class_that_needs_ceph_redis_or_chromium_is_marked_slow()
    {
        var needing = typeof(SlowTraitTests).Assembly.GetTypes().Where(IsTestClass).Where(NeedsInfrastructure).ToList();
        Assert.NotEmpty(needing);
        var unmarked = needing.Where(t => !IsMarkedSlow(t)).Select(t => t.FullName).ToList();
        Assert.True(unmarked.Count == 0, "needs Ceph, Redis or Chromium but is not [Trait(\"Speed\", \"Slow\")]: " + string.Join(", ", unmarked));
    }

    private static bool IsTestClass(Type type) =>
        type.IsClass && !type.IsAbstract && type.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>().Any());

    private static bool NeedsInfrastructure(Type type)
    {
        var collection = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute));
        if (collection is not null && InfrastructureCollections.Contains(collection.ConstructorArguments[0].Value as string)) return true;
        return type.GetConstructors().SelectMany(c => c.GetParameters()).Any(p => InfrastructureFixtures.Contains(p.ParameterType));
    }

    private static bool IsMarkedSlow(Type type) =>
        type.GetCustomAttributesData().Any(a => a.AttributeType == typeof(TraitAttribute)
            && a.ConstructorArguments is [{ Value: "Speed" }, { Value: "Slow" }]);
}
