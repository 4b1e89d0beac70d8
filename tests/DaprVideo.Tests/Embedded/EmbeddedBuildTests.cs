using System.Reflection;

namespace DaprVideo.Tests.Embedded;

/// <summary>The embedded host composes the Dapr-free modules only: its build output ships no Dapr assembly.</summary>
public sealed class EmbeddedBuildTests
{
    [Fact]
    public void The_embedded_build_output_holds_no_Dapr_assembly()
    {
        var output = EmbeddedBuild.OutputDirectory;
        Assert.True(File.Exists(Path.Combine(output, EmbeddedBuild.AssemblyFile)), $"no embedded build at {output}; build the solution first");

        var dapr = Directory.EnumerateFiles(output, "*.dll").Select(Path.GetFileName)
            .Where(f => f!.StartsWith("Dapr.", StringComparison.OrdinalIgnoreCase) || f.Equals("DaprVideo.DaprAdapters.dll", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Empty(dapr);
        // What the runtime loads is what deps.json lists: stale files aside, no Dapr package or project in it either.
        var deps = File.ReadAllText(Path.Combine(output, "daprvideo.deps.json"));
        Assert.DoesNotContain("\"Dapr.", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("DaprVideo.DaprAdapters", deps, StringComparison.Ordinal);
        Assert.Contains("DaprVideo.Ingest.Module", deps, StringComparison.Ordinal);
        Assert.Contains("DaprVideo.Playlist.Module", deps, StringComparison.Ordinal);
    }
}

/// <summary>Where the solution build put the embedded CLI (same configuration as the tests).</summary>
internal static class EmbeddedBuild
{
    public const string AssemblyFile = "daprvideo.dll";

    public static string Configuration =>
        typeof(EmbeddedBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string OutputDirectory => Path.Combine(RepoPaths.Root, "services", "Embedded", "bin", Configuration, "net10.0");

    public static string Assembly => Path.Combine(OutputDirectory, AssemblyFile);
}
