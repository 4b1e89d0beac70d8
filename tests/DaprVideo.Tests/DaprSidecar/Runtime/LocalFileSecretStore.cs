using System.Globalization;
using System.Text.Json;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// <c>secretstores.local.file</c> as components-contrib <c>secretstores/local/file/filestore.go</c> implements it:
/// <list type="bullet">
/// <item><c>secretsFile</c> is opened exactly as given, so a relative path is relative to daprd's working folder
/// (the CLI starts daprd in <c>appDirPath</c>); the init error is Go's <c>open &lt;path as given&gt;: no such file or directory</c>.</item>
/// <item>Metadata keys match case-insensitively (dapr/kit metadata <c>DecodeMetadata</c> → mapstructure);
/// <c>multiValued</c> is truthy per dapr/kit <c>IsTruthy</c>.</item>
/// <item>Without <c>multiValued</c> nested objects are flattened with <c>nestedSeparator</c> (default ":"), arrays by
/// index; leaves are formatted with Go <c>fmt.Sprintf("%s", v)</c>, so a JSON number 5 becomes <c>%!s(float64=5)</c>.</item>
/// <item>With <c>multiValued</c> top-level strings stay single-valued, top-level objects become one secret with
/// flattened keys; other top-level values are dropped.</item>
/// <item><c>GetSecret</c> of an unknown name fails with <c>secret NAME not found</c>; a single-valued secret's only key is its name.</item>
/// </list>
/// Not modelled: a duplicate flattened key makes upstream stop flattening at a point that depends on Go's random map
/// order (which secrets survive is unpredictable); here the first one in file order is kept and a warning is recorded.
/// </summary>
internal sealed class LocalFileSecretStore : ISidecarSecretStore
{
    private readonly Dictionary<string, object> _secrets = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Warnings { get; }

    private LocalFileSecretStore(List<string> warnings) => Warnings = warnings;

    /// <summary>Init; throws <see cref="ComponentInitException"/> with the component's own error text.</summary>
    public static LocalFileSecretStore Init(IReadOnlyDictionary<string, string> properties, string workingDirectory)
    {
        var secretsFile = Property(properties, "secretsFile") ?? "";
        if (secretsFile.Length == 0) throw new ComponentInitException("missing local secrets file in metadata");
        var separator = Property(properties, "nestedSeparator");
        if (string.IsNullOrEmpty(separator)) separator = ":";
        var multiValued = KitStrings.IsTruthy(Property(properties, "multiValued"));

        var resolved = Path.IsPathRooted(secretsFile) ? secretsFile : Path.GetFullPath(Path.Combine(workingDirectory, secretsFile));
        string text;
        if (Directory.Exists(resolved))
            throw new ComponentInitException($"read {secretsFile}: is a directory", resolved);
        try { text = File.ReadAllText(resolved); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ComponentInitException($"open {secretsFile}: no such file or directory", resolved);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ComponentInitException($"open {secretsFile}: permission denied", resolved);
        }

        var warnings = new List<string>();
        var store = new LocalFileSecretStore(warnings);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(text); }
        catch (JsonException e)
        {
            // Go's encoding/json words it differently ("invalid character ..."); the failure is the same: init fails.
            throw new ComponentInitException($"invalid character in {secretsFile} (System.Text.Json: {e.Message})", resolved);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Null) return store; // json null into a map leaves it nil: no secrets, no error
            if (root.ValueKind != JsonValueKind.Object)
                throw new ComponentInitException($"json: cannot unmarshal {GoJsonKind(root)} into Go value of type map[string]interface {{}}", resolved);

            var top = LastWins(root);
            if (multiValued)
            {
                foreach (var (name, value) in top)
                {
                    if (value.ValueKind == JsonValueKind.String) store._secrets[name] = value.GetString()!;
                    else if (value.ValueKind == JsonValueKind.Object)
                    {
                        var nested = new Dictionary<string, string>(StringComparer.Ordinal);
                        Flatten(value, [], separator, nested, warnings);
                        store._secrets[name] = nested;
                    }
                }
            }
            else
            {
                var flat = new Dictionary<string, string>(StringComparer.Ordinal);
                Flatten(root, [], separator, flat, warnings);
                foreach (var (k, v) in flat) store._secrets[k] = v;
            }
        }
        return store;
    }

    /// <summary><c>GetSecret</c>: the secret's key/value pairs, or the store's error.</summary>
    public IReadOnlyDictionary<string, string> GetSecret(string name)
    {
        if (!_secrets.TryGetValue(name, out var value)) throw new ComponentInitException($"secret {name} not found");
        return value is string single
            ? new Dictionary<string, string>(StringComparer.Ordinal) { [name] = single }
            : (Dictionary<string, string>)value;
    }

    IReadOnlyDictionary<string, string> ISidecarSecretStore.GetSecret(string name) => GetSecret(name);

    /// <summary><c>BulkGetSecret</c>: every secret as GetSecret would answer it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> BulkGetSecret() =>
        _secrets.Keys.ToDictionary(k => k, GetSecret, StringComparer.Ordinal);

    private static void Flatten(JsonElement element, List<string> context, string separator, Dictionary<string, string> into, List<string> warnings)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var (key, value) in LastWins(element))
                {
                    context.Add(key);
                    Flatten(value, context, separator, into, warnings);
                    context.RemoveAt(context.Count - 1);
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    context.Add(i++.ToString(CultureInfo.InvariantCulture));
                    Flatten(item, context, separator, into, warnings);
                    context.RemoveAt(context.Count - 1);
                }
                break;
            default:
                var path = string.Join(separator, context);
                if (!into.TryAdd(path, GoSprintS(element)))
                    warnings.Add($"secretstores.local.file: duplicate key {path} (upstream drops an unpredictable part of the file)");
                break;
        }
    }

    /// <summary>Go <c>fmt.Sprintf("%s", v)</c> of a decoded JSON leaf.</summary>
    private static string GoSprintS(JsonElement leaf) => leaf.ValueKind switch
    {
        JsonValueKind.String => leaf.GetString()!,
        JsonValueKind.True => "%!s(bool=true)",
        JsonValueKind.False => "%!s(bool=false)",
        JsonValueKind.Null => "%!s(<nil>)",
        _ => $"%!s(float64={GoFormat.FloatG(leaf.GetDouble(), 64)})",
    };

    /// <summary>A JSON object's members with Go map semantics: a repeated key keeps its last value.</summary>
    private static List<KeyValuePair<string, JsonElement>> LastWins(JsonElement obj)
    {
        var order = new List<string>();
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            if (!values.ContainsKey(p.Name)) order.Add(p.Name);
            values[p.Name] = p.Value;
        }
        return [.. order.Select(k => new KeyValuePair<string, JsonElement>(k, values[k]))];
    }

    private static string GoJsonKind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };

    /// <summary>mapstructure's field match: exact key first, else any key equal ignoring case.</summary>
    private static string? Property(IReadOnlyDictionary<string, string> properties, string name)
    {
        if (properties.TryGetValue(name, out var exact)) return exact;
        foreach (var (k, v) in properties)
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) return v;
        return null;
    }

}

/// <summary>A component's own Init error (the text daprd wraps in its init error).</summary>
internal sealed class ComponentInitException(string message, string? resolvedPath = null) : Exception(message)
{
    /// <summary>For file errors: the absolute path the relative one pointed to from daprd's working folder.</summary>
    public string? ResolvedPath { get; } = resolvedPath;
}
