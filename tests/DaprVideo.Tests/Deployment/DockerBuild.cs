using System.Text.RegularExpressions;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// One <c>docker build --build-arg ...</c> of a <see cref="Dockerfile"/>, resolved statically the way BuildKit does
/// (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go): <c>FROM</c> names are expanded with the global
/// <c>ARG</c>s; a name equal to an earlier stage's (stage names are lower case) builds on that stage, anything else
/// is an image; <c>ENV</c> carries over to stages built on a stage, an <c>ARG</c> only lives in the stage that
/// declares it. Each stage here is flattened: the instructions of the stages it is built on come first, and
/// arguments are expanded where Docker expands them (RUN as its shell would; exec-form ENTRYPOINT/CMD not at all).
/// Variables not set in the Dockerfile (<c>$APP_UID</c> of the base image) are left as written.
/// </summary>
internal sealed partial class DockerBuild
{
    private static readonly HashSet<string> Substituted = ["ADD", "COPY", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

    private readonly Dockerfile _file;
    private readonly IReadOnlyDictionary<string, string> _buildArgs;
    private readonly Dictionary<string, string> _globals = new(StringComparer.Ordinal);
    private readonly Dictionary<int, (Dockerfile.Stage Stage, Dictionary<string, string> Env)> _flattened = [];

    public DockerBuild(Dockerfile file, IReadOnlyDictionary<string, string> buildArgs)
    {
        _file = file;
        _buildArgs = buildArgs;
        foreach (var arg in file.GlobalArgs)
        {
            var (name, fallback) = ParseArg(arg.Arguments);
            if (buildArgs.TryGetValue(name, out var given)) _globals[name] = given;
            else if (fallback is not null) _globals[name] = fallback;
        }

        // The image is the last stage; it needs the stages it copies from (COPY --from=name), and so on.
        var needed = new List<int>();
        var pending = new Stack<int>([file.Stages.Count - 1]);
        while (pending.Count > 0)
        {
            var index = pending.Pop();
            if (needed.Contains(index)) continue;
            needed.Add(index);
            foreach (var copy in Flatten(index).All("COPY"))
            {
                var from = Dockerfile.ParseCopy(copy.Arguments).Flags.FirstOrDefault(f => f.StartsWith("--from=", StringComparison.Ordinal));
                if (from is not null && StageIndex(from["--from=".Length..], file.Stages.Count) is { } source) pending.Push(source);
            }
        }
        Stages = [.. needed.Order().Select(Flatten)];
    }

    /// <summary>The stages this build runs, flattened, in file order; the last one is the image.</summary>
    public IReadOnlyList<Dockerfile.Stage> Stages { get; }

    public Dockerfile.Stage Final => Stages[^1];

    /// <summary>The base name of the last stage's FROM line after expansion (which stage or image it selects).</summary>
    public string FinalBaseName => Expand(_file.Stages[^1].BaseImage, _globals, shell: false);

    private Dockerfile.Stage Flatten(int index) => FlattenWithEnv(index).Stage;

    private (Dockerfile.Stage Stage, Dictionary<string, string> Env) FlattenWithEnv(int index)
    {
        if (_flattened.TryGetValue(index, out var done)) return done;
        var stage = _file.Stages[index];
        var baseName = Expand(stage.BaseImage, _globals, shell: false);
        if (baseName.Length == 0) throw new InvalidOperationException($"{_file.Path}: FROM {stage.BaseImage} is blank with these build args");

        var baseImage = baseName;
        var instructions = new List<Dockerfile.Instruction>();
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (StageIndex(baseName, index) is { } parent)
        {
            var (parentStage, parentEnv) = FlattenWithEnv(parent);
            baseImage = parentStage.BaseImage;
            instructions.AddRange(parentStage.Instructions);
            foreach (var (k, v) in parentEnv) env[k] = v;
        }

        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in stage.Instructions)
        {
            // ENV wins over an ARG of the same name.
            var known = new Dictionary<string, string>(args, StringComparer.Ordinal);
            foreach (var (k, v) in env) known[k] = v;
            var arguments = instruction.Keyword switch
            {
                "RUN" => Expand(instruction.Arguments, known, shell: true),
                var k when Substituted.Contains(k) => Expand(instruction.Arguments, known, shell: false),
                _ => instruction.Arguments,
            };
            switch (instruction.Keyword)
            {
                case "ARG":
                    var (name, fallback) = ParseArg(arguments);
                    if (_buildArgs.TryGetValue(name, out var given)) args[name] = given;
                    else if (fallback is not null) args[name] = fallback;
                    else if (_globals.TryGetValue(name, out var global)) args[name] = global;
                    break;
                case "ENV":
                    foreach (var (k, v) in ParseEnv(arguments)) env[k] = v;
                    break;
            }
            instructions.Add(new Dockerfile.Instruction(instruction.Keyword, arguments));
        }
        var result = (new Dockerfile.Stage(baseImage, stage.Name, instructions), env);
        _flattened[index] = result;
        return result;
    }

    /// <summary>The earlier stage named <paramref name="name"/> (BuildKit keys stages by their lower-case name and
    /// looks the FROM name up as written).</summary>
    private int? StageIndex(string name, int before)
    {
        for (var i = before - 1; i >= 0; i--)
            if (_file.Stages[i].Name is { } stageName && string.Equals(stageName.ToLowerInvariant(), name, StringComparison.Ordinal)) return i;
        return null;
    }

    private static (string Name, string? Default) ParseArg(string arguments)
    {
        var parts = arguments.Split('=', 2);
        return (parts[0].Trim(), parts.Length == 2 ? Unquote(parts[1].Trim()) : null);
    }

    private static IEnumerable<(string Key, string Value)> ParseEnv(string arguments)
    {
        var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length > 0 && !words[0].Contains('=', StringComparison.Ordinal))
        {
            yield return (words[0], string.Join(' ', words.Skip(1)));
            yield break;
        }
        foreach (var word in words)
        {
            var kv = word.Split('=', 2);
            yield return (kv[0], kv.Length == 2 ? Unquote(kv[1]) : "");
        }
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'' ? value[1..^1] : value;

    private static string Expand(string text, Dictionary<string, string> values, bool shell)
    {
        if (shell) text = QuotedVariable().Replace(text, m => values.TryGetValue(Name(m), out var v) ? v : m.Value);
        return Variable().Replace(text, m => values.TryGetValue(Name(m), out var v) ? v : m.Value);
    }

    private static string Name(Match m) => m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value;

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Variable();

    /// <summary>A whole double-quoted variable, which the shell turns into one word without the quotes.</summary>
    [GeneratedRegex(@"""(?:\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*))""")]
    private static partial Regex QuotedVariable();
}
