namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// What a standalone daprd loads for one app id from its <c>--resources-path</c> folders and <c>--config</c> file, and
/// where it refuses to start (the exception message is the fatal line daprd would log). Followed upstream:
/// <list type="bullet">
/// <item>Configuration first (dapr <c>pkg/runtime/config.go</c> → <c>pkg/config/configuration.go</c>
/// <c>LoadStandaloneConfiguration</c>): the file must exist, <c>$VAR</c>/<c>${VAR}</c> are expanded (Go <c>os.ExpandEnv</c>),
/// then it must parse (yaml.v3: syntax errors and repeated keys are fatal; only the first document counts; kind not checked).</item>
/// <item>Resiliency (dapr <c>pkg/resiliency/resiliency.go</c> <c>LoadLocalResiliency</c>): per *.yaml/*.yml file, only its
/// FIRST document, <c>kind: Resiliency</c> (apiVersion not checked); unreadable or malformed files are logged and skipped;
/// kept when <c>scopes</c> is empty or names the app.</item>
/// <item>Components (dapr <c>pkg/internal/loader/disk/{disk,manifest}.go</c>): every *.yaml/*.yml file (by name order,
/// no subfolders), split at "\n---" (<see cref="DaprYamlDocuments"/>); documents with exactly
/// <c>apiVersion: dapr.io/v1alpha1</c> + <c>kind: Component</c>; a malformed document or a bad name ("/", "%", ".", "..")
/// is only logged and skipped – NOT fatal; duplicate names are fatal and are checked BEFORE scopes, so two same-named
/// components scoped to different apps still stop every app; then <c>scopes</c> (exact, case-sensitive app id).
/// With $NAMESPACE set, manifests of another namespace are skipped.</item>
/// <item>Init order (dapr <c>pkg/runtime/components.go</c> <c>loadComponents</c>): secret stores first, then the rest,
/// each in manifest order. secretKeyRefs (dapr <c>pkg/runtime/processor/secret/secret.go</c> <c>ProcessResource</c>):
/// through <c>auth.secretStore</c> only (no default store in standalone); a store that is not loaded PARKS the component
/// (logged; daprd starts without it – see <see cref="ParkedComponents"/>); a missing secret is logged and leaves the value
/// empty (not fatal); key defaults to the secret name. <c>envRef</c> fills an item without a value (not DAPR_*/APP_API_TOKEN).</item>
/// <item>Templates (dapr <c>pkg/runtime/meta/meta.go</c> <c>convertItemsToProps</c>), in every metadata value:
/// each <c>{uuid}</c> → a new UUID; <c>{podName}</c> → $POD_NAME, or init fails when it is unset; <c>{namespace}</c> →
/// "$NAMESPACE.appID" ($NAMESPACE defaults to "default"); <c>{appID}</c> → app id.</item>
/// <item>A failed init (dapr <c>pkg/runtime/processor/loops/root/component.go</c>, <c>pkg/runtime/components.go</c>
/// <c>initComponentBlocking</c>) stops daprd unless the component sets <c>ignoreErrors: true</c> (then it is just absent).
/// Init here covers: the type being one the stand-in has (<see cref="SupportedComponentTypes"/>), templates, and
/// <c>secretstores.local.file</c> itself (<see cref="LocalFileSecretStore"/>); other components' own metadata checks
/// are the brokers' job.</item>
/// </list>
/// Not modelled: hot reload, HTTPEndpoint/MCP/workflow resources, Configuration schema/type errors, Resiliency schema
/// errors, init timeouts, wasm, the Kubernetes secret store.
/// </summary>
public sealed class SidecarResources
{
    private const string ApiVersion = "dapr.io/v1alpha1";

    private readonly List<ComponentSpec> _components = [];
    private readonly List<string> _resiliency = [];
    private readonly List<string> _subscriptions = [];
    private readonly List<string> _warnings = [];
    private readonly List<string> _parked = [];
    private readonly Dictionary<string, ISidecarSecretStore> _secretStores = new(StringComparer.Ordinal);

    private SidecarResources() { }

    /// <summary>Components daprd initialised for the app (scoped to it or unscoped), in init order (secret stores first).</summary>
    public IReadOnlyList<ComponentSpec> Components => _components;

    public ComponentSpec? Find(string name) => _components.FirstOrDefault(c => c.Name == name);

    /// <summary>Raw YAML text of each Resiliency document that applies to the app (the first document of its file).</summary>
    public IReadOnlyList<string> ResiliencyDocuments => _resiliency;

    /// <summary>Raw YAML text of each Subscription (v1alpha1/v2alpha1) document that applies to the app.</summary>
    public IReadOnlyList<string> SubscriptionDocuments => _subscriptions;

    /// <summary>The <c>--config</c> file's text after <c>$VAR</c> expansion; null when no config file was given.</summary>
    public string? ConfigurationDocument { get; private set; }

    /// <summary>What daprd would log at warn/error level without stopping (skipped files, unresolved secrets, ignored errors).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The secret stores daprd initialised for the app, by component name (what its secrets API reads).</summary>
    public IReadOnlyDictionary<string, ISidecarSecretStore> SecretStores => _secretStores;

    /// <summary>The Configuration's <c>spec.secrets.scopes</c> (what the secrets API allows).</summary>
    public IReadOnlyList<SecretScope> SecretScopes => SecretScope.FromConfiguration(ConfigurationDocument);

    /// <summary>Components waiting for a secret store that never loaded: daprd runs, but they do not exist.</summary>
    public IReadOnlyList<string> ParkedComponents => _parked;

    /// <summary>daprd for one app of a run file: its resources paths, config file, and working folder = appDirPath.</summary>
    public static SidecarResources Load(RunFileApp app,
        IReadOnlyDictionary<(string Component, string Key), string>? metadataOverrides = null,
        IReadOnlyDictionary<string, string>? daprdEnvironment = null) =>
        Load(app.AppId, app.ResourcesPaths, app.AppDirPath, metadataOverrides, app.ConfigFilePath, daprdEnvironment);

    /// <param name="appId">daprd's <c>--app-id</c>.</param>
    /// <param name="resourcesPaths">daprd's <c>--resources-path</c> values (relative ones are relative to <paramref name="workingDirectory"/>).</param>
    /// <param name="workingDirectory">daprd's working folder: relative file paths inside components (e.g. secretsFile) start here.</param>
    /// <param name="metadataOverrides">Test environment values (e.g. redisHost on another port), applied after secrets and templates, before init.</param>
    /// <param name="configFilePath">daprd's <c>--config</c>; null: none.</param>
    /// <param name="daprdEnvironment">daprd's environment (NAMESPACE, POD_NAME, envRef, config $VARs); null: this process's.
    /// The CLI gives daprd its own environment, not the run file's <c>env</c>.</param>
    public static SidecarResources Load(string appId, IReadOnlyList<string> resourcesPaths, string workingDirectory,
        IReadOnlyDictionary<(string Component, string Key), string>? metadataOverrides = null,
        string? configFilePath = null,
        IReadOnlyDictionary<string, string>? daprdEnvironment = null)
    {
        var env = daprdEnvironment ?? GoEnv.Current();
        var r = new SidecarResources();
        var dirs = resourcesPaths.Select(p => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(workingDirectory, p))).ToList();
        r.LoadConfiguration(configFilePath, workingDirectory, env);
        r.LoadResiliency(appId, dirs);
        var manifests = r.LoadComponentManifests(appId, dirs, env);
        r.LoadSubscriptions(appId, dirs);
        new ComponentInitialiser(r, appId, workingDirectory, env, metadataOverrides).Run(manifests);
        return r;
    }

    private void LoadConfiguration(string? configFilePath, string workingDirectory, IReadOnlyDictionary<string, string> env)
    {
        if (configFilePath is null) return;
        var path = Path.IsPathRooted(configFilePath) ? configFilePath : Path.GetFullPath(Path.Combine(workingDirectory, configFilePath));
        if (!File.Exists(path))
            throw Fatal($"error loading configuration: stat {configFilePath}: no such file or directory");
        var text = GoEnv.Expand(File.ReadAllText(path), env);
        try
        {
            var root = GoYamlReader.ReadFirstDocument(text);
            var duplicate = FirstDuplicateKey(root);
            if (duplicate is not null) throw Fatal($"error loading configuration: yaml: unmarshal errors:\n  {duplicate}");
        }
        catch (GoYamlSyntaxException e) { throw Fatal($"error loading configuration: {e.Message}"); }
        ConfigurationDocument = text;
    }

    /// <summary>yaml.v3 refuses a mapping that repeats a key ("mapping key "x" already defined at line N").</summary>
    private static string? FirstDuplicateKey(GoYamlNode? node)
    {
        switch (node)
        {
            case GoYamlMap map:
                var seen = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var (key, value) in map.Entries)
                {
                    if (key is GoYamlScalar k)
                    {
                        if (seen.TryGetValue(k.Text, out var line))
                            return $"line {k.Line}: mapping key \"{k.Text}\" already defined at line {line}";
                        seen[k.Text] = k.Line;
                    }
                    if (FirstDuplicateKey(value) is { } inner) return inner;
                }
                return null;
            case GoYamlSeq seq:
                foreach (var item in seq.Items)
                    if (FirstDuplicateKey(item) is { } inner) return inner;
                return null;
            default:
                return null;
        }
    }

    private void LoadResiliency(string appId, List<string> dirs)
    {
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir)) continue; // os.IsNotExist → nothing from this path
            foreach (var entry in Entries(dir))
            {
                var name = Path.GetFileName(entry);
                if (!IsYaml(name)) { _warnings.Add($"A non-YAML resiliency file {name} was detected, it will not be loaded"); continue; }
                if (Directory.Exists(entry)) { _warnings.Add($"Could not read resiliency file {name}: read {entry}: is a directory"); continue; }
                var text = File.ReadAllText(entry);
                GoYamlNode? doc;
                try { doc = GoYamlReader.ReadFirstDocument(text); }
                catch (GoYamlSyntaxException e) { _warnings.Add($"Could not determine resource type: {e.Message}"); continue; }
                var errors = new List<string>();
                if (doc is not GoYamlMap map || K8sYaml.AsString(K8sYaml.Field(map, "kind"), "kind", errors) != "Resiliency") continue;
                var scopes = K8sYaml.AsStringList(K8sYaml.Field(map, "scopes"), "Resiliency.scopes", errors);
                if (errors.Count > 0) { _warnings.Add($"Could not parse resiliency file {name}: {string.Join("; ", errors)}"); continue; }
                if (scopes.Count == 0 || scopes.Contains(appId, StringComparer.Ordinal))
                    _resiliency.Add(DaprYamlDocuments.Split(text).FirstOrDefault(d => d.Trim().Length > 0) ?? text);
            }
        }
    }

    private void LoadSubscriptions(string appId, List<string> dirs)
    {
        foreach (var (doc, text, _) in Manifests(dirs, "Subscription", ["dapr.io/v1alpha1", "dapr.io/v2alpha1"]))
        {
            var errors = new List<string>();
            var scopes = K8sYaml.AsStringList(K8sYaml.Field(doc, "scopes"), "Subscription.scopes", errors);
            // Scope filtering happens when the subscription reaches the pub/sub processor (dapr pkg/runtime/processor/loops/pubsub/subscription.go).
            if (errors.Count == 0 && (scopes.Count == 0 || scopes.Contains(appId, StringComparer.Ordinal))) _subscriptions.Add(text);
        }
    }

    private List<ComponentManifest> LoadComponentManifests(string appId, List<string> dirs, IReadOnlyDictionary<string, string> env)
    {
        foreach (var dir in dirs)
            if (!Directory.Exists(dir))
                throw Fatal($"failed to load components: open {dir}: no such file or directory");

        var decoded = new List<ComponentManifest>();
        foreach (var (doc, _, file) in Manifests(dirs, "Component", [ApiVersion]))
        {
            var errors = new List<string>();
            var manifest = ComponentManifest.Decode(doc, file, errors);
            if (errors.Count > 0)
            {
                _warnings.Add($"daprd load Component error when parsing manifests yaml resource in {file}: {string.Join("\n", errors)}");
                continue;
            }
            decoded.Add(manifest);
        }

        // disk.filterManifests: namespace, then duplicates (before scopes!), then scopes.
        var nsDefined = env.TryGetValue("NAMESPACE", out var ns) && ns.Length > 0;
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        var result = new List<ComponentManifest>();
        foreach (var m in decoded)
        {
            if (nsDefined && m.Namespace.Length > 0 && m.Namespace != ns) continue;
            if (names.TryGetValue(m.Name, out var existing))
            {
                duplicates.Add($"duplicate definition of Component name {m.LogName} with existing {existing}");
                continue;
            }
            if (m.Scopes.Count > 0 && !m.Scopes.Contains(appId, StringComparer.Ordinal)) continue;
            names[m.Name] = m.LogName;
            result.Add(m);
        }
        if (duplicates.Count > 0) throw Fatal("failed to load components: " + string.Join("\n", duplicates));
        return result;
    }

    /// <summary>
    /// The documents of one resource kind across the folders (manifest.go <c>loadManifestsFromDirectory</c>/<c>decodeYaml</c>):
    /// documents that fail to parse or carry an invalid name are logged and skipped.
    /// </summary>
    private IEnumerable<(GoYamlMap Doc, string Text, string File)> Manifests(List<string> dirs, string kind, string[] apiVersions)
    {
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var entry in Entries(dir))
            {
                if (Directory.Exists(entry)) continue;
                var name = Path.GetFileName(entry);
                if (!IsYaml(name)) { _warnings.Add($"A non-YAML {kind} file {name} was detected, it will not be loaded"); continue; }
                string text;
                try { text = File.ReadAllText(entry); }
                catch (IOException e) { _warnings.Add($"daprd load {kind} error when opening file {entry}: {e.Message}"); continue; }
                foreach (var part in DaprYamlDocuments.Split(text))
                {
                    GoYamlNode? node;
                    try { node = GoYamlReader.ReadFirstDocument(part); }
                    catch (GoYamlSyntaxException e)
                    {
                        _warnings.Add($"daprd load {kind} error when parsing manifests yaml resource in {entry}: {e.Message}");
                        continue;
                    }
                    if (node is not GoYamlMap map) continue;
                    var errors = new List<string>();
                    var apiVersion = K8sYaml.AsString(K8sYaml.Field(map, "apiVersion"), "apiVersion", errors);
                    var docKind = K8sYaml.AsString(K8sYaml.Field(map, "kind"), "kind", errors);
                    var metadata = K8sYaml.AsObject(K8sYaml.Field(map, "metadata"), "metadata", errors);
                    var docName = K8sYaml.AsString(K8sYaml.Field(metadata, "name"), "metadata.name", errors) ?? "";
                    if (errors.Count > 0)
                    {
                        _warnings.Add($"daprd load {kind} error when parsing manifests yaml resource in {entry}: {string.Join("\n", errors)}");
                        continue;
                    }
                    if (docKind != kind || !apiVersions.Contains(apiVersion, StringComparer.Ordinal)) continue;
                    if (docName is "." or ".." || docName.Contains('/', StringComparison.Ordinal) || docName.Contains('%', StringComparison.Ordinal))
                    {
                        _warnings.Add($"daprd load {kind} error when parsing manifests yaml resource in {entry}: invalid name \"{docName}\" for \"{kind}\": may not contain '/', '%' or be '.' or '..'");
                        continue;
                    }
                    yield return (map, part, entry);
                }
            }
        }
    }

    /// <summary>Go <c>os.ReadDir</c>: entries sorted by name (byte order).</summary>
    private static IEnumerable<string> Entries(string dir) =>
        Directory.EnumerateFileSystemEntries(dir).OrderBy(Path.GetFileName, StringComparer.Ordinal);

    /// <summary>dapr/kit strings <c>IsYaml</c>: extension .yaml or .yml, any case.</summary>
    private static bool IsYaml(string fileName) =>
        Path.GetExtension(fileName).ToLowerInvariant() is ".yaml" or ".yml";

    internal static DaprStartupException Fatal(string message) => new("Fatal error from runtime: " + message);

    /// <summary>The two passes of <c>loadComponents</c> and the secret-store parking of the processor's root loop.</summary>
    private sealed class ComponentInitialiser(
        SidecarResources r, string appId, string workingDirectory, IReadOnlyDictionary<string, string> env,
        IReadOnlyDictionary<(string Component, string Key), string>? overrides)
    {
        private readonly Dictionary<string, LocalFileSecretStore> _stores = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<ComponentManifest>> _parked = new(StringComparer.Ordinal);

        public void Run(List<ComponentManifest> manifests)
        {
            foreach (var m in manifests.Where(IsSecretStore)) Init(m);
            foreach (var m in manifests.Where(m => !IsSecretStore(m))) Init(m);
            foreach (var (store, waiting) in _parked)
                foreach (var m in waiting) r._parked.Add($"{m.LogName} (waits for secret store '{store}')");
        }

        private static bool IsSecretStore(ComponentManifest m) => m.Type.StartsWith("secretstores.", StringComparison.Ordinal);

        private void Init(ComponentManifest m)
        {
            var items = ResolveSecrets(m);
            if (items is null) return; // parked
            try
            {
                var spec = Build(m, items);
                r._components.Add(spec);
                if (IsSecretStore(m))
                {
                    if (_parked.Remove(m.Name, out var waiting))
                        foreach (var dependent in waiting) Init(dependent);
                }
            }
            catch (ComponentInitException e)
            {
                var message = $"process component {m.Name} error: {e.Message}";
                if (m.IgnoreErrors) { r._warnings.Add($"Ignoring error processing component: {message}"); return; }
                throw Fatal("failed to load components: " + message);
            }
        }

        /// <summary>secret.go <c>ProcessResource</c>: the items with secrets/env filled in, or null when the component is parked.</summary>
        private List<MetadataItem>? ResolveSecrets(ComponentManifest m)
        {
            var items = m.Metadata.ToList();
            var cache = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (item.Value is null && item.EnvRef.Length > 0)
                {
                    if (EnvAllowed(item.EnvRef)) items[i] = item with { Value = SetValue(env.GetValueOrDefault(item.EnvRef, "")), EnvRef = "" };
                    else
                    {
                        r._warnings.Add($"Component {m.Name} references an env variable that isn't allowed: {item.EnvRef}");
                        items[i] = item with { EnvRef = "" };
                    }
                    continue;
                }
                if (item.SecretName.Length == 0) continue;
                if (!_stores.TryGetValue(m.SecretStore, out var store))
                {
                    r._warnings.Add($"Component {m.Name} references a secret store that isn't loaded: {m.SecretStore}");
                    if (!_parked.TryGetValue(m.SecretStore, out var list)) _parked[m.SecretStore] = list = [];
                    list.RemoveAll(x => x.Name == m.Name);
                    list.Add(m);
                    return null;
                }
                if (!cache.TryGetValue(item.SecretName, out var data))
                {
                    try { data = store.GetSecret(item.SecretName); }
                    catch (ComponentInitException e)
                    {
                        r._warnings.Add($"Error getting secret: {e.Message} (component {m.Name}, metadata {item.Name}: value stays empty)");
                        continue;
                    }
                }
                var key = item.SecretKey.Length > 0 ? item.SecretKey : item.SecretName;
                if (data.TryGetValue(key, out var secret) && secret.Length > 0) items[i] = item with { Value = SetValue(secret) };
                else r._warnings.Add($"Component {m.Name}: secret {item.SecretName} has no non-empty key {key} (metadata {item.Name} stays empty)");
                cache[item.SecretName] = data;
            }
            return items;
        }

        /// <summary><c>NameValuePair.SetValue(raw)</c> then <c>DynamicValue.String()</c>: raw text, unquoted if it is a Go quoted literal.</summary>
        private static string SetValue(string raw) => GoFormat.Unquote(raw) ?? raw;

        private bool EnvAllowed(string key)
        {
            key = key.ToUpperInvariant();
            if (key.Length == 0 || key == "APP_API_TOKEN" || key.StartsWith("DAPR_", StringComparison.Ordinal) || key.Contains(' ', StringComparison.Ordinal)) return false;
            var allow = env.GetValueOrDefault("DAPR_ENV_KEYS", "");
            return allow.Length == 0 || allow.Split(' ').Contains(key, StringComparer.Ordinal);
        }

        /// <summary>Category + registry lookup, templates, consumerID, overrides, and the secret store's own Init.</summary>
        private ComponentSpec Build(ComponentManifest m, List<MetadataItem> items)
        {
            var category = SupportedComponentTypes.Categories.FirstOrDefault(c => m.Type.StartsWith(c + ".", StringComparison.Ordinal));
            if (category is null) throw new ComponentInitException($"incorrect type {m.Type}");
            if (!SupportedComponentTypes.IsSupported(m.Type, m.Version))
            {
                var note = $" (the DaprVideo stand-in has only: {string.Join(", ", SupportedComponentTypes.All)}; versions \"\", v0, v1)";
                var inner = category switch
                {
                    "bindings" => $"couldn't find binding {m.LogName}",
                    "pubsub" => Wrap("CREATE_COMPONENT_FAILURE", m, $"couldn't find message bus {m.Type}/{m.Version}"),
                    "secretstores" => Wrap("CREATE_COMPONENT_FAILURE", m, $"couldn't find secret store {m.Type}/{m.Version}"),
                    _ => Wrap("CREATE_COMPONENT_FAILURE", m, $"couldn't find {category} component {m.Type}/{m.Version}"),
                };
                throw new ComponentInitException(Wrap("INIT_COMPONENT_FAILURE", m, inner + note));
            }

            var props = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                var value = item.Value ?? "";
                try { props[item.Name] = ComponentTemplates.Substitute(value, item.Name, appId, env); }
                catch (ComponentInitException e)
                {
                    throw new ComponentInitException(Wrap("INIT_COMPONENT_FAILURE", m, Wrap("INIT_COMPONENT_FAILURE", m, e.Message)));
                }
            }
            if (m.Type.StartsWith("pubsub.", StringComparison.Ordinal))
            {
                var consumer = props.GetValueOrDefault("consumerID", "").Trim();
                props["consumerID"] = consumer.Length == 0 ? appId : consumer;
            }
            if (overrides is not null)
                foreach (var ((component, key), value) in overrides)
                    if (component == m.Name) props[key] = value;

            if (m.Type.Equals("secretstores.local.file", StringComparison.OrdinalIgnoreCase))
            {
                try { _stores[m.Name] = LocalFileSecretStore.Init(props, workingDirectory); }
                catch (ComponentInitException e)
                {
                    var where = e.ResolvedPath is null
                        ? ""
                        : $" (stand-in note: daprd's working folder is {workingDirectory}, so the path resolves to {e.ResolvedPath})";
                    throw new ComponentInitException(Wrap("INIT_COMPONENT_FAILURE", m, Wrap("INIT_COMPONENT_FAILURE", m, e.Message)) + where);
                }
                foreach (var w in _stores[m.Name].Warnings) r._warnings.Add(w);
                r._secretStores[m.Name] = _stores[m.Name];
            }

            return new ComponentSpec(m.Name, m.Type, m.Version, props, m.Scopes, m.IgnoreErrors)
            {
                SecretStore = m.SecretStore,
                InitTimeout = m.InitTimeout,
                SourceFile = m.SourceFile,
            };
        }

        /// <summary>dapr <c>pkg/runtime/errors/init.go</c> <c>InitError.Error()</c>.</summary>
        private static string Wrap(string kind, ComponentManifest m, string inner) =>
            $"[{kind}]: initialization error occurred for {m.LogName}: {inner}";
    }
}
