using System.Reflection;
using System.Text.RegularExpressions;
using DaprVideo.Core.Ports;

namespace DaprVideo.Tests.Core;

/// <summary>What README and docs/architecture.md say about Core, checked: domain, pipeline and ports only.</summary>
public sealed partial class CoreBoundaryTests
{
    private static readonly Assembly Core = typeof(IObjectStore).Assembly;

    [Fact]
    public void Core_references_only_the_base_library()
    {
        var references = Core.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"DaprVideo.Core references {name}: adapters belong in their own project"));
    }

    [Fact]
    public void Core_source_starts_no_process_and_touches_no_file()
    {
        var offences = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "services", "Core"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (path, line, i)))
            .Where(x => !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal) && Forbidden().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.path)}:{x.i + 1}: {x.line.Trim()}")
            .ToList();
        Assert.True(offences.Count == 0, string.Join('\n', offences));
    }

    [Fact]
    public void Every_port_is_an_interface_in_Core_Ports()
    {
        var ports = Core.GetExportedTypes().Where(t => t.Namespace == "DaprVideo.Core.Ports").ToList();
        Assert.All(ports, t => Assert.True(t.IsInterface, $"{t.Name} in Core.Ports is not an interface"));
        Assert.Contains(typeof(IObjectDetector), ports);
        Assert.Contains(typeof(IFrameDecoder), ports);
        Assert.Contains(typeof(ISegmentEncoder), ports);
        Assert.Contains(typeof(IFrameAnnotator), ports);
        Assert.DoesNotContain(Core.GetExportedTypes(), t => t.Name.StartsWith("Onnx", StringComparison.Ordinal) || t.Name.StartsWith("Ffmpeg", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"\b(Process\.Start|ProcessStartInfo|File\.|Directory\.|FileStream|DllImport|LibraryImport)\b")]
    private static partial Regex Forbidden();
}
