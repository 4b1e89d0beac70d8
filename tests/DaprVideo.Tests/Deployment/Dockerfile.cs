using System.Text.RegularExpressions;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// A Dockerfile read statically (no Docker engine here): instructions with line continuations joined
/// and comments dropped, grouped by build stage, and the global <c>ARG</c>s declared before the first <c>FROM</c>.
/// <see cref="Build"/> resolves what one <c>docker build --build-arg ...</c> of it builds.
/// </summary>
internal sealed partial class Dockerfile
{
    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string BaseImage, string? Name, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<Instruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
    }

    private Dockerfile(string path, IReadOnlyList<Instruction> globalArgs, IReadOnlyList<Stage> stages)
    {
        Path = path;
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public string Path { get; }

    /// <summary>The <c>ARG</c> instructions before the first <c>FROM</c> (usable in <c>FROM</c> lines only).</summary>
    public IReadOnlyList<Instruction> GlobalArgs { get; }

    /// <summary>The stages as written: base names and arguments not expanded.</summary>
    public IReadOnlyList<Stage> Stages { get; }

    public static Dockerfile Load(string path)
    {
        var stages = new List<Stage>();
        var globalArgs = new List<Instruction>();
        string? image = null;
        string? name = null;
        var current = new List<Instruction>();
        foreach (var line in LogicalLines(File.ReadAllLines(path)))
        {
            var m = InstructionLine().Match(line);
            if (!m.Success) throw new FormatException($"{path}: not an instruction: {line}");
            var keyword = m.Groups["keyword"].Value.ToUpperInvariant();
            var args = m.Groups["args"].Value.Trim();
            if (keyword == "FROM")
            {
                if (image is not null) stages.Add(new Stage(image, name, current));
                var from = FromArguments().Match(args);
                image = from.Groups["image"].Value;
                name = from.Groups["name"].Success ? from.Groups["name"].Value : null;
                current = [];
                continue;
            }
            if (image is null)
            {
                if (keyword != "ARG") throw new FormatException($"{path}: {keyword} before FROM.");
                globalArgs.Add(new Instruction(keyword, args));
                continue;
            }
            current.Add(new Instruction(keyword, args));
        }
        if (image is not null) stages.Add(new Stage(image, name, current));
        return new Dockerfile(path, globalArgs, stages);
    }

    /// <summary>What <c>docker build</c> with these <c>--build-arg</c>s builds (the last stage is the image).</summary>
    public DockerBuild Build(IReadOnlyDictionary<string, string> buildArgs) => new(this, buildArgs);

    /// <summary>Sources and destination of a COPY (flags such as --from= are returned separately).</summary>
    public static (IReadOnlyList<string> Flags, IReadOnlyList<string> Sources, string Destination) ParseCopy(string arguments)
    {
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var flags = words.TakeWhile(w => w.StartsWith("--", StringComparison.Ordinal)).ToList();
        var rest = words.Skip(flags.Count).ToList();
        return (flags, rest.Take(rest.Count - 1).ToList(), rest[^1]);
    }

    private static IEnumerable<string> LogicalLines(IEnumerable<string> lines)
    {
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0) continue;
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }
            yield return pending + line;
            pending = "";
        }
        if (pending.Length > 0) yield return pending;
    }

    [GeneratedRegex(@"^(?<keyword>[A-Za-z]+)\s+(?<args>.*)$")]
    private static partial Regex InstructionLine();

    [GeneratedRegex(@"^(?:--\S+\s+)*(?<image>\S+)(?:\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromArguments();
}
