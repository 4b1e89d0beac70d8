using System.Text.Json;
using DaprVideo.Core.Events;
using DaprVideo.Inference;
using DaprVideo.Ingest;
using DaprVideo.ModelServer;
using DaprVideo.Playlist;
using YamlDotNet.Serialization;

namespace DaprVideo.Tests.Distributed;

/// <summary>components/ and dapr.yaml agree with each other and with the services (no daprd here to load them).</summary>
public sealed class DaprConfigurationTests
{
    private static readonly string Components = Path.Combine(RepoPaths.Root, "components");
    private static readonly string[] Sets = ["redis", "kafka"];
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private static Dictionary<object, object> Load(string path) =>
        Yaml.Deserialize<Dictionary<object, object>>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");

    private static Dictionary<object, object> Map(object? node, string what) =>
        node as Dictionary<object, object> ?? throw new InvalidDataException($"{what} is not a mapping");

    private static List<object> Seq(object? node, string what) =>
        node as List<object> ?? throw new InvalidDataException($"{what} is not a list");

    private static Dictionary<object, object> DaprYaml => Load(Path.Combine(RepoPaths.Root, "dapr.yaml"));

    private static IEnumerable<Dictionary<object, object>> Apps =>
        Seq(DaprYaml["apps"], "apps").Select(a => Map(a, "app"));

    private static IEnumerable<string> ComponentFiles(string set) =>
        Directory.EnumerateFiles(Path.Combine(Components, set), "*.yaml").Order(StringComparer.Ordinal);

    /// <summary>metadata entries of a component as name → value (or "secretKeyRef:NAME").</summary>
    private static Dictionary<string, string> Metadata(Dictionary<object, object> component) =>
        Seq(Map(component["spec"], "spec")["metadata"], "spec.metadata").Select(e => Map(e, "metadata entry"))
            .ToDictionary(e => (string)e["name"], e => e.TryGetValue("value", out var v) ? (string)v
                : "secretKeyRef:" + (string)Map(e["secretKeyRef"], "secretKeyRef")["name"]);

    private static Dictionary<string, Dictionary<object, object>> ComponentsOf(string set) =>
        ComponentFiles(set).Select(Load).Where(d => (string)d["kind"] == "Component")
            .ToDictionary(d => (string)Map(d["metadata"], "metadata")["name"], d => d);

    [Fact]
    public void Every_yaml_file_parses()
    {
        var files = Directory.EnumerateFiles(Components, "*.yaml", SearchOption.AllDirectories).Append(Path.Combine(RepoPaths.Root, "dapr.yaml")).ToList();
        Assert.True(files.Count >= 10, $"only {files.Count} YAML files");
        foreach (var file in files)
        {
            var doc = Load(file);
            Assert.True(doc.Count > 0, file);
        }
    }

    [Fact]
    public void Both_component_sets_define_the_same_components_and_differ_only_in_the_broker()
    {
        var redis = ComponentsOf("redis");
        var kafka = ComponentsOf("kafka");
        Assert.Equal(["objectstore", "pubsub", "secretstore"], redis.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(redis.Keys.Order(StringComparer.Ordinal), kafka.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ComponentFiles("redis").Select(Path.GetFileName), ComponentFiles("kafka").Select(Path.GetFileName));
        Assert.Equal("pubsub.redis", Map(redis["pubsub"]["spec"], "spec")["type"]);
        Assert.Equal("pubsub.kafka", Map(kafka["pubsub"]["spec"], "spec")["type"]);
        // Everything else is the same file.
        foreach (var name in new[] { "objectstore.yaml", "secretstore.yaml", "resiliency.yaml" })
            Assert.Equal(File.ReadAllText(Path.Combine(Components, "redis", name)), File.ReadAllText(Path.Combine(Components, "kafka", name)));
        Assert.Equal("none", Metadata(kafka["pubsub"])["authType"]);
    }

    [Fact]
    public void The_object_store_is_the_S3_binding_on_Ceph_with_credentials_only_from_the_secret_store()
    {
        foreach (var set in Sets)
        {
            var store = ComponentsOf(set)["objectstore"];
            Assert.Equal("bindings.aws.s3", Map(store["spec"], "spec")["type"]);
            var md = Metadata(store);
            Assert.Equal("true", md["forcePathStyle"]);
            Assert.Equal("daprvideo", md["bucket"]);
            Assert.StartsWith("http", md["endpoint"], StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(md["region"]));
            Assert.Equal("secretKeyRef:s3-access-key", md["accessKey"]);
            Assert.Equal("secretKeyRef:s3-secret-key", md["secretKey"]);
            Assert.Equal("secretstore", Map(store["auth"], "auth")["secretStore"]);
            Assert.Equal("secretstores.local.file", Map(ComponentsOf(set)["secretstore"]["spec"], "spec")["type"]);
        }
        Assert.Equal("secretKeyRef:redis-password", Metadata(ComponentsOf("redis")["pubsub"])["redisPassword"]);

        // The template names every secret referenced; the real file is ignored by git.
        var template = JsonDocument.Parse(File.ReadAllText(Path.Combine(Components, "secrets.json.template"))).RootElement;
        foreach (var set in Sets)
            foreach (var reference in ComponentsOf(set).Values.SelectMany(c => Metadata(c).Values).Where(v => v.StartsWith("secretKeyRef:", StringComparison.Ordinal)))
                Assert.True(template.TryGetProperty(reference["secretKeyRef:".Length..], out _), reference);
        Assert.Contains("components/secrets.json", File.ReadAllLines(Path.Combine(RepoPaths.Root, ".gitignore")));
    }

    [Fact]
    public void Scopes_name_only_app_ids_of_dapr_yaml_and_topic_scopes_match_the_services()
    {
        var appIds = Apps.Select(a => (string)a["appID"]).ToHashSet(StringComparer.Ordinal);
        string[] users = [IngestModule.AppId, InferenceModule.AppId, PlaylistModule.AppId];
        foreach (var set in Sets)
        {
            foreach (var doc in ComponentFiles(set).Select(Load))
            {
                var scopes = Seq(doc["scopes"], "scopes").Cast<string>().ToList();
                Assert.All(scopes, s => Assert.Contains(s, appIds));
                // Only the apps that use components see them (the model server uses none; the Notifier no object store).
                Assert.Equal(doc["metadata"] is Dictionary<object, object> m && (string)m["name"] == "objectstore" ? users : users.Append("notifier").ToArray(), scopes);
            }
            var pubsub = Metadata(ComponentsOf(set)["pubsub"]);
            var publishing = TopicScopes(pubsub["publishingScopes"]);
            var subscribing = TopicScopes(pubsub["subscriptionScopes"]);
            Assert.All(publishing.Keys.Concat(subscribing.Keys), app => Assert.Contains(app, appIds));
            Assert.Equal([Topics.Chunks, Topics.Streams, Topics.Purges], publishing[IngestModule.AppId]);
            Assert.Equal([Topics.Segments, Topics.Events, InferenceModule.DeadLetterTopic, InferenceModule.StreamsDeadLetterTopic], publishing[InferenceModule.AppId]);
            Assert.Equal([PlaylistModule.SegmentsDeadLetterTopic, PlaylistModule.StreamsDeadLetterTopic, PlaylistModule.PurgesDeadLetterTopic, PlaylistModule.EventsDeadLetterTopic], publishing[PlaylistModule.AppId]);
            Assert.Equal([Topics.Chunks, Topics.Streams], subscribing[InferenceModule.AppId]);
            Assert.Equal([Topics.Segments, Topics.Streams, Topics.Purges, Topics.Events], subscribing[PlaylistModule.AppId]);
            Assert.Equal([DaprVideo.Notifier.NotifierSettings.DeadLetterTopic], publishing["notifier"]);
            Assert.Equal([Topics.Events], subscribing["notifier"]);
            var allowed = pubsub["allowedTopics"].Split(',').ToHashSet(StringComparer.Ordinal);
            Assert.All(publishing.Values.Concat(subscribing.Values).SelectMany(t => t), t => Assert.Contains(t, allowed));
        }
    }

    [Fact]
    public void Resiliency_targets_use_defined_policies_for_the_broker_and_the_binding()
    {
        foreach (var set in Sets)
        {
            var spec = Map(Load(Path.Combine(Components, set, "resiliency.yaml"))["spec"], "spec");
            var policies = Map(spec["policies"], "policies");
            var targets = Map(Map(spec["targets"], "targets")["components"], "components");
            Assert.Equal(["objectstore", "pubsub"], targets.Keys.Cast<string>().Order(StringComparer.Ordinal));
            foreach (var (component, directions) in targets)
            {
                foreach (var (direction, policy) in Map(directions, $"{component}"))
                {
                    foreach (var (kind, name) in Map(policy, $"{component}.{direction}"))
                    {
                        var section = (string)kind switch { "timeout" => "timeouts", "retry" => "retries", "circuitBreaker" => "circuitBreakers", _ => throw new InvalidDataException((string)kind) };
                        Assert.True(Map(policies[section], section).ContainsKey(name), $"{component}.{direction}.{kind} = {name}");
                    }
                }
            }
            // Misses are errors to daprd: no retry or breaker on the binding (the adapter retries what is transient).
            Assert.Equal(["timeout"], Map(Map(targets["objectstore"], "objectstore")["outbound"], "outbound").Keys.Cast<string>());
            Assert.True(Map(Map(targets["pubsub"], "pubsub")["outbound"], "outbound").ContainsKey("circuitBreaker"));
        }
        var tracing = Map(Map(Load(Path.Combine(Components, "config.yaml"))["spec"], "spec")["tracing"], "tracing");
        Assert.Equal("1", tracing["samplingRate"]);
    }

    [Fact]
    public void App_ids_ports_and_paths_agree_between_dapr_yaml_and_the_services()
    {
        var apps = Apps.ToDictionary(a => (string)a["appID"]);
        Assert.Equal(["inference", "ingest", "modelserver", "notifier", "playlist"], apps.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, port) in new[] { (IngestModule.AppId, IngestModule.DefaultPort), (InferenceModule.AppId, InferenceModule.DefaultPort), (PlaylistModule.AppId, PlaylistModule.DefaultPort), ("notifier", DaprVideo.Notifier.NotifierSettings.DefaultPort) })
        {
            Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), apps[id]["appPort"]);
            Assert.Equal(apps[id]["appPort"], Map(apps[id]["env"], "env")["APP_PORT"]);
        }
        var modelServer = new ModelServerOptions();
        Assert.Equal(modelServer.RestApiPort.ToString(System.Globalization.CultureInfo.InvariantCulture), apps["modelserver"]["appPort"]);
        Assert.Contains($"--port={modelServer.Port}", Seq(apps["modelserver"]["command"], "command").Cast<string>());
        Assert.Equal($"grpc://127.0.0.1:{modelServer.Port}", Map(apps["inference"]["env"], "env")["TF_SERVING_URL"]);

        foreach (var app in apps.Values)
        {
            var dir = Path.Combine(RepoPaths.Root, (string)app["appDirPath"]);
            Assert.Single(Directory.EnumerateFiles(dir, "*.csproj"));
        }
        var common = Map(DaprYaml["common"], "common");
        Assert.All(Seq(common["resourcesPaths"], "resourcesPaths").Cast<string>(), p => Assert.True(Directory.Exists(Path.Combine(RepoPaths.Root, p)), p));
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, (string)common["configFilePath"])));
        // The CLI's key since 1.15 (daprHTTPMaxRequestSize is ignored): room for a 3 s HD chunk in one message.
        Assert.False(common.ContainsKey("daprHTTPMaxRequestSize"));
        Assert.Equal("32Mi", common["maxBodySize"]);
        Assert.Equal("pubsub", Map(common["env"], "env")["PUBSUB_NAME"]);
        Assert.Equal("objectstore", Map(common["env"], "env")["OBJECTSTORE_BINDING"]);
    }

    [Fact]
    public void Apps_run_their_build_output_and_health_checks_are_enabled_where_a_path_is_given()
    {
        foreach (var app in Apps)
        {
            var command = Seq(app["command"], "command").Cast<string>().ToList();
            Assert.Equal("dotnet", command[0]);
            Assert.DoesNotContain("run", command); // four concurrent `dotnet run` builds collide on shared projects
            Assert.StartsWith("bin/Release/net10.0/", command[1], StringComparison.Ordinal);
            Assert.EndsWith(".dll", command[1], StringComparison.Ordinal);
            if (app.ContainsKey("appHealthCheckPath")) Assert.Equal("true", app["enableAppHealthCheck"]);
        }
    }

    /// <summary>processingTimeout must outlast one delivery's whole inbound budget, or a slow chunk is claimed by a second replica while it runs.</summary>
    [Fact]
    public void Redis_redelivery_waits_longer_than_one_delivery_can_take_and_is_written_as_milliseconds()
    {
        var pubsub = Metadata(ComponentsOf("redis")["pubsub"]);
        // contrib reads redeliverInterval only as integer milliseconds ("15s" is ignored silently).
        Assert.Matches("^[0-9]+$", pubsub["redeliverInterval"]);
        var processingTimeout = GoDuration(pubsub["processingTimeout"]);

        var policies = Map(Map(Load(Path.Combine(Components, "redis", "resiliency.yaml"))["spec"], "spec")["policies"], "policies");
        var inbound = Map(Map(Map(Map(Map(Load(Path.Combine(Components, "redis", "resiliency.yaml"))["spec"], "spec")["targets"], "targets")["components"], "components")["pubsub"], "pubsub")["inbound"], "inbound");
        var timeout = GoDuration((string)Map(policies["timeouts"], "timeouts")[inbound["timeout"]]);
        var retry = Map(Map(policies["retries"], "retries")[inbound["retry"]], "retry");
        Assert.Equal("constant", retry["policy"]);
        var retries = int.Parse((string)retry["maxRetries"], System.Globalization.CultureInfo.InvariantCulture);
        var budget = (retries + 1) * timeout + retries * GoDuration((string)retry["duration"]);
        Assert.True(processingTimeout > budget, $"processingTimeout {processingTimeout} <= inbound budget {budget}");
    }

    [Fact]
    public void Kafka_message_limit_leaves_room_for_the_envelope_around_the_largest_event()
    {
        var pubsub = Metadata(ComponentsOf("kafka")["pubsub"]);
        var limit = int.Parse(pubsub["maxMessageBytes"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(limit >= 2 * DaprVideo.DaprAdapters.DaprEventPublisher.MaxEventBytes, $"maxMessageBytes {limit}");
    }

    private static TimeSpan GoDuration(string value)
    {
        Assert.True(DaprSidecar.GoDuration.TryParse(value, out var d), $"'{value}' is not a Go duration");
        return d;
    }

    private static Dictionary<string, List<string>> TopicScopes(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(entry => entry.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1].Split(',', StringSplitOptions.RemoveEmptyEntries).ToList());
}
