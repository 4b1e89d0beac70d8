using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecarTests.Runtime;

/// <summary>
/// A scratch copy of the repository's Dapr layout: dapr.yaml, components/ (all of it), an empty folder for every
/// <c>appDirPath</c>, and components/secrets.json filled from components/secrets.json.template – what a developer has
/// after following the README, without the services' sources. <paramref name="editRunFile"/> is an edit the docs
/// tell a user to make; <paramref name="secrets"/> the values a user fills in (placeholders get "test-KEY").
/// </summary>
public sealed class RepoLayoutCopy : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RepoLayoutCopy(Func<string, string>? editRunFile = null, IReadOnlyDictionary<string, string>? secrets = null)
    {
        var runFile = File.ReadAllText(Path.Combine(RepoPaths.Root, "dapr.yaml"));
        File.WriteAllText(RunFile, editRunFile?.Invoke(runFile) ?? runFile);
        CopyTree(Path.Combine(RepoPaths.Root, "components"), Path.Combine(Root, "components"));
        foreach (var appDir in AppDirPaths(RunFile)) Directory.CreateDirectory(Path.GetFullPath(Path.Combine(Root, appDir)));

        var template = JsonNode.Parse(File.ReadAllText(Path.Combine(Root, "components", "secrets.json.template")))!.AsObject();
        var filled = new JsonObject();
        foreach (var (key, value) in template)
        {
            var text = value?.GetValue<string>() ?? "";
            filled[key] = secrets?.GetValueOrDefault(key) ?? (text.StartsWith('<') ? "test-" + key : text); // placeholders like "<Ceph RGW access key>"
        }
        File.WriteAllText(SecretsFile, filled.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public string Root => _temp.Path;

    public string RunFile => Path.Combine(Root, "dapr.yaml");

    public string SecretsFile => Path.Combine(Root, "components", "secrets.json");

    /// <summary>Replaces the <c>secretsFile</c> value in every committed secretstore.yaml of the copy.</summary>
    public void SetSecretsFile(string value)
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "components"), "secretstore.yaml", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file).ToList();
            var at = lines.FindIndex(l => l.Trim() == "- name: secretsFile");
            Assert.True(at >= 0 && lines[at + 1].TrimStart().StartsWith("value:", StringComparison.Ordinal), $"no secretsFile item in {file}");
            var indent = lines[at + 1][..(lines[at + 1].Length - lines[at + 1].TrimStart().Length)];
            lines[at + 1] = $"{indent}value: \"{value}\"";
            File.WriteAllLines(file, lines);
        }
    }

    /// <summary>The committed <c>secretsFile</c> value (of components/redis/secretstore.yaml).</summary>
    public static string CommittedSecretsFile()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "components", "redis", "secretstore.yaml"))));
        var items = (YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["spec"])["metadata"];
        var item = items.Cast<YamlMappingNode>().Single(i => ((YamlScalarNode)i["name"]).Value == "secretsFile");
        return ((YamlScalarNode)item["value"]).Value!;
    }

    public static IEnumerable<string> AppDirPaths(string runFile)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(runFile)));
        var apps = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["apps"];
        return apps.Cast<YamlMappingNode>().Select(a => ((YamlScalarNode)a["appDirPath"]).Value!);
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.EnumerateDirectories(from)) CopyTree(dir, Path.Combine(to, Path.GetFileName(dir)));
    }

    public void Dispose() => _temp.Dispose();
}
