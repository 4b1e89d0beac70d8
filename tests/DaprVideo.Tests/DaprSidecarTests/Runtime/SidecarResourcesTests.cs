using DaprVideo.Tests.DaprSidecar.Runtime;

namespace DaprVideo.Tests.DaprSidecarTests.Runtime;

/// <summary>What standalone daprd loads from its resources folders, and where it refuses to start.</summary>
public sealed class SidecarResourcesTests : IDisposable
{
    private static readonly Dictionary<string, string> NoEnv = new(StringComparer.Ordinal);

    private readonly TempDirectory _temp = new();

    public SidecarResourcesTests() => Directory.CreateDirectory(Res);

    public void Dispose() => _temp.Dispose();

    private string Res => _temp.File("res");

    private string WorkDir => _temp.Path;

    private SidecarResources Load(string appId = "app", IReadOnlyDictionary<string, string>? env = null,
        IReadOnlyDictionary<(string, string), string>? overrides = null, string? config = null) =>
        SidecarResources.Load(appId, [Res], WorkDir, overrides, config, env ?? NoEnv);

    private void Write(string name, string yaml) => File.WriteAllText(Path.Combine(Res, name), yaml);

    private static string Component(string name, string type, string metadata = "", string extra = "") => $"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: {name}
        spec:
          type: {type}
          version: v1
          metadata:
        {metadata}
        {extra}
        """;

    private static string Item(string name, string value) => $"    - name: {name}\n      value: {value}";

    private void WriteSecretStore(string json = """{"s3-access-key":"AK","nested":{"user":"u","port":5}}""")
    {
        File.WriteAllText(_temp.File("secrets.json"), json);
        Write("secretstore.yaml", Component("secrets", "secretstores.local.file", Item("secretsFile", "./secrets.json")));
    }

    [Fact]
    public void Scopes_keep_components_of_other_apps_out()
    {
        Write("a.yaml", Component("mine", "bindings.http", extra: "scopes: [app]"));
        Write("b.yaml", Component("theirs", "bindings.http", extra: "scopes: [other, App]")); // case matters
        Write("c.yaml", Component("everyone", "bindings.http"));

        var loaded = Load();

        Assert.Equal(["everyone", "mine"], loaded.Components.Select(c => c.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Duplicate_names_stop_daprd_even_when_scoped_to_different_apps()
    {
        Write("a.yaml", Component("pubsub", "pubsub.redis", extra: "scopes: [app]"));
        Write("b.yaml", Component("pubsub", "pubsub.kafka", extra: "scopes: [other]"));

        var error = Assert.Throws<DaprStartupException>(() => Load());

        Assert.Equal("Fatal error from runtime: failed to load components: duplicate definition of Component name pubsub (pubsub.kafka/v1) with existing pubsub (pubsub.redis/v1)", error.Message);
    }

    [Fact]
    public void Templates_are_substituted_at_init()
    {
        Write("pubsub.yaml", Component("pubsub", "pubsub.kafka",
            string.Join("\n", Item("consumerGroup", "\"{appID}\""), Item("clientID", "\"x-{namespace}\""), Item("a", "\"{uuid}\""), Item("b", "\"{uuid}\""), Item("c", "\"{APPID}\""))));

        var meta = Load("ingest").Find("pubsub")!.Metadata;

        Assert.Equal("ingest", meta["consumerGroup"]);
        Assert.Equal("x-default.ingest", meta["clientID"]); // {namespace} = NAMESPACE (default "default") + "." + app id
        Assert.True(Guid.TryParse(meta["a"], out var a) && Guid.TryParse(meta["b"], out var b) && a != b);
        Assert.Equal("{APPID}", meta["c"]);
        Assert.Equal("ingest", meta["consumerID"]); // pub/sub consumerID defaults to the app id
    }

    [Fact]
    public void PodName_template_without_POD_NAME_fails_the_init_unless_errors_are_ignored()
    {
        Write("b.yaml", Component("b", "bindings.http", Item("x", "\"{podName}\"")));
        var error = Assert.Throws<DaprStartupException>(() => Load());
        Assert.Contains("property x refers to {podName} but podName is not set", error.Message, StringComparison.Ordinal);

        Assert.Equal("pod-7", Load(env: new Dictionary<string, string> { ["POD_NAME"] = "pod-7" }).Find("b")!.Metadata["x"]);

        Write("b.yaml", Component("b", "bindings.http", Item("x", "\"{podName}\""), "  ignoreErrors: true"));
        var ignored = Load();
        Assert.Null(ignored.Find("b"));
        Assert.Contains(ignored.Warnings, w => w.Contains("Ignoring error processing component", StringComparison.Ordinal));
    }

    [Fact]
    public void Multi_document_files_load_every_component_but_only_the_first_resiliency()
    {
        Write("all.yaml", Component("one", "bindings.http") + "\n---\n" + Component("two", "bindings.mqtt3") + "\n--- # trailing note\n" + """
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: second-doc
            spec: {}
            """);
        Write("res.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: first-doc\nscopes: [app]\nspec: {}\n---\n" + Component("three", "bindings.http"));

        var loaded = Load();

        Assert.Equal(["one", "two", "three"], loaded.Components.Select(c => c.Name));
        var resiliency = Assert.Single(loaded.ResiliencyDocuments);
        Assert.Contains("first-doc", resiliency, StringComparison.Ordinal);
        Assert.DoesNotContain("three", resiliency, StringComparison.Ordinal);
    }

    [Fact]
    public void Resiliency_scopes_apply()
    {
        Write("r.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nscopes: [other]\nspec: {}\n");
        Assert.Empty(Load().ResiliencyDocuments);
        Assert.Single(Load("other").ResiliencyDocuments);
    }

    [Fact]
    public void A_malformed_document_is_skipped_with_a_warning_not_fatal()
    {
        Write("bad.yaml", "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: [unclosed\n---\n" + Component("good", "bindings.http"));
        Write("wrongtype.yaml", Component("typed", "bindings.http", extra: "  ignoreErrors: \"true\""));
        Write("notes.txt", "not yaml");

        var loaded = Load();

        Assert.Equal(["good"], loaded.Components.Select(c => c.Name));
        Assert.Contains(loaded.Warnings, w => w.Contains("bad.yaml", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.Contains("wrongtype.yaml", StringComparison.Ordinal));
        Assert.Contains(loaded.Warnings, w => w.Contains("non-YAML Component file notes.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_type_stops_daprd_unless_errors_are_ignored()
    {
        Write("p.yaml", Component("pubsub", "pubsub.rabbitmq"));
        var error = Assert.Throws<DaprStartupException>(() => Load());
        Assert.StartsWith("Fatal error from runtime: failed to load components: process component pubsub error: [INIT_COMPONENT_FAILURE]: initialization error occurred for pubsub (pubsub.rabbitmq/v1): [CREATE_COMPONENT_FAILURE]", error.Message, StringComparison.Ordinal);
        Assert.Contains("couldn't find message bus pubsub.rabbitmq/v1", error.Message, StringComparison.Ordinal);

        Write("p.yaml", Component("pubsub", "nonsense"));
        Assert.Contains("incorrect type nonsense", Assert.Throws<DaprStartupException>(() => Load()).Message, StringComparison.Ordinal);

        Write("p.yaml", Component("pubsub", "pubsub.rabbitmq", extra: "  ignoreErrors: true"));
        Assert.Empty(Load().Components);

        Write("p.yaml", Component("pubsub", "PubSub.Redis")); // the registry lower-cases, the category check does not
        Assert.Contains("incorrect type PubSub.Redis", Assert.Throws<DaprStartupException>(() => Load()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretKeyRefs_resolve_through_auth_secretStore()
    {
        WriteSecretStore();
        Write("s3.yaml", Component("objectstore", "bindings.aws.s3", """
                - name: accessKey
                  secretKeyRef: {name: s3-access-key, key: s3-access-key}
                - name: user
                  secretKeyRef: {name: "nested:user"}
                - name: port
                  secretKeyRef: {name: "nested:port"}
            """, "auth:\n  secretStore: secrets"));

        var meta = Load().Find("objectstore")!.Metadata;

        Assert.Equal("AK", meta["accessKey"]);
        Assert.Equal("u", meta["user"]); // nested objects are flattened with ":"; key defaults to the secret name
        Assert.Equal("%!s(float64=5)", meta["port"]); // Go fmt of a JSON number, as filestore.go does
    }

    [Fact]
    public void A_missing_secret_is_logged_and_leaves_the_value_empty()
    {
        WriteSecretStore();
        Write("s3.yaml", Component("objectstore", "bindings.aws.s3", """
                - name: accessKey
                  secretKeyRef: {name: no-such-secret, key: no-such-secret}
                - name: secretKey
                  secretKeyRef: {name: s3-access-key, key: other-key}
            """, "auth:\n  secretStore: secrets"));

        var loaded = Load();

        var meta = loaded.Find("objectstore")!.Metadata;
        Assert.Equal("", meta["accessKey"]);
        Assert.Equal("", meta["secretKey"]); // single-valued secrets only have the key = their name
        Assert.Contains(loaded.Warnings, w => w.Contains("secret no-such-secret not found", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_secret_store_parks_the_component_and_daprd_starts_without_it()
    {
        Write("s3.yaml", Component("objectstore", "bindings.aws.s3", """
                - name: accessKey
                  secretKeyRef: {name: k, key: k}
            """, "auth:\n  secretStore: vault"));
        Write("http.yaml", Component("web", "bindings.http", """
                - name: token
                  secretKeyRef: {name: k}
            """)); // no auth.secretStore: standalone has no default store

        var loaded = Load();

        Assert.Empty(loaded.Components);
        Assert.Equal(2, loaded.ParkedComponents.Count);
        Assert.Contains(loaded.ParkedComponents, p => p.Contains("'vault'", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_file_is_relative_to_the_working_folder_and_missing_stops_daprd()
    {
        Write("secretstore.yaml", Component("secrets", "secretstores.local.file", Item("secretsFile", "./secrets.json")));

        var error = Assert.Throws<DaprStartupException>(() => Load());

        Assert.Contains("process component secrets error: [INIT_COMPONENT_FAILURE]: initialization error occurred for secrets (secretstores.local.file/v1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("open ./secrets.json: no such file or directory", error.Message, StringComparison.Ordinal);
        Assert.Contains(_temp.File("secrets.json"), error.Message, StringComparison.Ordinal);

        File.WriteAllText(_temp.File("secrets.json"), "{}");
        Assert.NotNull(Load().Find("secrets"));
    }

    [Fact]
    public void MultiValued_secrets_keep_their_keys()
    {
        File.WriteAllText(_temp.File("secrets.json"), """{"db":{"user":"u","pass":"p"},"flat":"f"}""");
        Write("secretstore.yaml", Component("secrets", "secretstores.local.file",
            string.Join("\n", Item("secretsFile", "./secrets.json"), Item("multiValued", "\"true\""))));
        Write("b.yaml", Component("b", "bindings.http", """
                - name: pass
                  secretKeyRef: {name: db, key: pass}
                - name: flat
                  secretKeyRef: {name: flat}
            """, "auth:\n  secretStore: secrets"));

        var meta = Load().Find("b")!.Metadata;

        Assert.Equal("p", meta["pass"]);
        Assert.Equal("f", meta["flat"]);
    }

    [Fact]
    public void Metadata_values_are_read_the_way_daprd_reads_them()
    {
        Write("b.yaml", Component("b", "bindings.http", string.Join("\n",
            Item("int", "5"), Item("yesValue", "yes"), Item("yes", "\"named yes\""), Item("quoted", "\"yes\""), Item("octal", "010"), Item("duration", "15s"),
            Item("empty", "\"\""), "    - name: fromEnv\n      envRef: MY_VAR", "    - name: daprEnv\n      envRef: DAPR_API_TOKEN")));

        var loaded = Load(env: new Dictionary<string, string> { ["MY_VAR"] = "v", ["DAPR_API_TOKEN"] = "t" });
        var meta = loaded.Find("b")!.Metadata;

        Assert.Equal("5", meta["int"]);
        Assert.Equal("true", meta["yesValue"]); // YAML 1.1 bool
        Assert.Equal("named yes", meta["true"]); // a bool where a string is expected becomes its text – even a name
        Assert.Equal("yes", meta["quoted"]);
        Assert.Equal("8", meta["octal"]); // YAML 1.1 octal int
        Assert.Equal("15s", meta["duration"]);
        Assert.Equal("", meta["empty"]);
        Assert.Equal("v", meta["fromEnv"]);
        Assert.Equal("", meta["daprEnv"]); // DAPR_* is never exposed through envRef
    }

    [Fact]
    public void Overrides_replace_metadata_before_init()
    {
        Write("secretstore.yaml", Component("secrets", "secretstores.local.file", Item("secretsFile", "./nowhere.json")));
        Write("p.yaml", Component("pubsub", "pubsub.redis", Item("redisHost", "\"localhost:6379\"")));
        File.WriteAllText(_temp.File("elsewhere.json"), "{}");

        var loaded = Load(overrides: new Dictionary<(string, string), string>
        {
            [("pubsub", "redisHost")] = "127.0.0.1:16379",
            [("secrets", "secretsFile")] = _temp.File("elsewhere.json"),
        });

        Assert.Equal("127.0.0.1:16379", loaded.Find("pubsub")!.Metadata["redisHost"]);
    }

    [Fact]
    public void Configuration_file_must_exist_and_parse_and_has_env_expanded()
    {
        var config = _temp.File("config.yaml");
        Assert.Contains("error loading configuration: stat", Assert.Throws<DaprStartupException>(() => Load(config: config)).Message, StringComparison.Ordinal);

        File.WriteAllText(config, "kind: Configuration\nspec:\n  tracing:\n    samplingRate: \"$RATE\"\n");
        Assert.Contains("samplingRate: \"1\"", Load(config: config, env: new Dictionary<string, string> { ["RATE"] = "1" }).ConfigurationDocument, StringComparison.Ordinal);

        File.WriteAllText(config, "kind: Configuration\nspec: {}\nspec: {}\n");
        Assert.Contains("mapping key \"spec\" already defined", Assert.Throws<DaprStartupException>(() => Load(config: config)).Message, StringComparison.Ordinal);
    }
}
