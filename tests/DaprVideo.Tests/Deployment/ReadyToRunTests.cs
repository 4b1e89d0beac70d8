using System.Xml.Linq;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// Every host that is published (the four images' services, the embedded CLI) is ReadyToRun when published, so a start
/// does not JIT all it runs; and none pins a runtime identifier, so builds, `dotnet run` and the tests stay portable IL and
/// an image's code is compiled for the architecture its SDK stage runs on (the SDK's own identifier is the default).
/// </summary>
public sealed class ReadyToRunTests
{
    public static TheoryData<string> PublishedHosts() =>
        [.. Conventions.Apps.Select(a => $"services/{a.ProjectDirectory}/DaprVideo.{a.ProjectDirectory}.csproj"), "services/Embedded/DaprVideo.Embedded.csproj"];

    [Theory]
    [MemberData(nameof(PublishedHosts))]
    public void Publishes_ready_to_run_without_pinning_a_runtime_identifier(string project)
    {
        var properties = XDocument.Load(Path.Combine(RepoPaths.Root, project)).Descendants("PropertyGroup").Elements().ToList();
        Assert.Contains(properties, p => p.Name.LocalName == "PublishReadyToRun" && p.Value.Trim() == "true" && p.Parent!.Attribute("Condition") is null);
        Assert.DoesNotContain(properties, p => p.Name.LocalName is "RuntimeIdentifier" or "SelfContained");
    }
}
