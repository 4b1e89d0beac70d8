using DaprVideo.Tests.DaprSidecar.Runtime;
using YamlDotNet.RepresentationModel;

namespace DaprVideo.Tests.DaprSidecarTests.Runtime;

/// <summary>The run file as the Dapr CLI reads it (cli pkg/runfileconfig, pkg/standalone/run.go).</summary>
public sealed class DaprRunFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Repository_dapr_yaml_resolves_against_its_own_folder()
    {
        var run = DaprRunFile.Load(RepoPaths.Root); // `dapr run -f .` from the repository root
        var root = Path.GetFullPath(RepoPaths.Root);

        Assert.Equal(root, run.Directory);
        Assert.Equal(["modelserver", "ingest", "inference", "playlist", "notifier"], run.Apps.Select(a => a.AppId));
        var ingest = run.App("ingest");
        Assert.Equal(Path.Combine(root, "services", "Ingest"), ingest.AppDirPath);
        Assert.Equal(5101, ingest.AppPort);
        Assert.Equal(["dotnet", "bin/Release/net10.0/DaprVideo.Ingest.dll"], ingest.Command);

        // common's paths are relative to the run file, and every app without its own takes them.
        var common = (YamlMappingNode)RootNode()["common"];
        var expectedResources = ((YamlSequenceNode)common["resourcesPaths"]).Select(p => Path.GetFullPath(Path.Combine(root, ((YamlScalarNode)p).Value!))).ToList();
        var expectedConfig = Path.GetFullPath(Path.Combine(root, ((YamlScalarNode)common["configFilePath"]).Value!));
        foreach (var app in run.Apps)
        {
            Assert.Equal(expectedResources, app.ResourcesPaths);
            Assert.Equal(expectedConfig, app.ConfigFilePath);
            Assert.Equal("pubsub", app.Env["PUBSUB_NAME"]); // common env reaches every app
        }

        // The body limit comes from maxBodySize (daprHTTPMaxRequestSize is not read since CLI 1.15).
        Assert.All(run.Apps, a => Assert.Equal(32L * 1024 * 1024, a.MaxBodyBytes));
        Assert.All(run.Apps.Where(a => a.AppId != "modelserver"), a => Assert.Equal("/health/live", a.AppHealthCheckPath));
    }

    [Fact]
    public void Removed_daprHTTPMaxRequestSize_is_ignored_and_the_limit_stays_4Mi()
    {
        var app = LoadSingle("""
            version: 1
            common:
              daprHTTPMaxRequestSize: 32
            apps:
              - appID: a
                appDirPath: ./a
            """);
        Assert.Equal(4_194_304, app.MaxBodyBytes);
    }

    [Theory]
    [InlineData("32Mi", 33_554_432L)]
    [InlineData("32", 32L)] // a bare number is bytes, not megabytes
    [InlineData("\"32\"", 32L)]
    [InlineData("1.5Mi", 1_572_864L)]
    [InlineData("64k", 64_000L)]
    [InlineData("2e6", 2_000_000L)]
    [InlineData("-1", -1L)]
    public void MaxBodySize_is_a_resource_quantity(string yamlValue, long bytes)
    {
        var app = LoadSingle($"""
            version: 1
            common:
              maxBodySize: {yamlValue}
            apps:
              - appID: a
                appDirPath: ./a
            """);
        Assert.Equal(bytes, app.MaxBodyBytes);
    }

    [Theory]
    [InlineData("32 Mi", "quantities must match the regular expression")]
    [InlineData("32MB", "quantities must match the regular expression")]
    [InlineData("32K", "unable to parse quantity's suffix")] // only Ki (binary) or k (decimal)
    [InlineData("500m", "daprd: Failed to parse flags: invalid value for 'max-body-size' option")]
    public void A_bad_maxBodySize_stops_the_run(string value, string message)
    {
        var error = Assert.Throws<DaprStartupException>(() => LoadSingle($"""
            version: 1
            apps:
              - appID: a
                appDirPath: ./a
                maxBodySize: "{value}"
            """));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void App_level_paths_are_relative_to_appDirPath_and_win_over_common()
    {
        Directory.CreateDirectory(_temp.File("common-res"));
        Directory.CreateDirectory(_temp.File("svc/a/res"));
        File.WriteAllText(_temp.File("svc/a/cfg.yaml"), "kind: Configuration\n");
        File.WriteAllText(_temp.File("cfg.yaml"), "kind: Configuration\n");
        var run = Load("""
            version: 1
            common:
              resourcesPaths: [./common-res]
              configFilePath: ./cfg.yaml
            apps:
              - appID: a
                appDirPath: ./svc/a
                resourcesPaths: [./res]
                configFilePath: ./cfg.yaml
              - appID: b
                appDirPath: ./svc/b
            """, "svc/b");
        var a = run.App("a");
        Assert.Equal([_temp.File("svc/a/res")], a.ResourcesPaths);
        Assert.Equal(_temp.File("svc/a/cfg.yaml"), a.ConfigFilePath);
        var b = run.App("b");
        Assert.Equal([_temp.File("common-res")], b.ResourcesPaths);
        Assert.Equal(_temp.File("cfg.yaml"), b.ConfigFilePath);
    }

    [Fact]
    public void An_apps_dot_dapr_resources_folder_wins_over_common()
    {
        Directory.CreateDirectory(_temp.File("common-res"));
        Directory.CreateDirectory(_temp.File("a/.dapr/resources"));
        var app = LoadSingle("""
            version: 1
            common:
              resourcesPaths: [./common-res]
            apps:
              - appDirPath: ./a
            """);
        Assert.Equal([_temp.File("a/.dapr/resources")], app.ResourcesPaths);
        Assert.Equal("a", app.AppId); // no appID: the folder name
    }

    [Fact]
    public void Keys_are_case_sensitive_and_unknown_keys_are_ignored()
    {
        var app = LoadSingle("""
            version: 1
            apps:
              - appId: wrongly-cased
                appDirPath: ./a
                appport: 5000
                somethingElse: [1, 2]
            """);
        Assert.Equal("a", app.AppId);
        Assert.Null(app.AppPort);
    }

    [Fact]
    public void AppHealthCheckPath_does_nothing_without_enableAppHealthCheck()
    {
        var run = Load("""
            version: 1
            common:
              appHealthProbeInterval: 3
            apps:
              - appID: off
                appDirPath: ./a
                appHealthCheckPath: /health/live
              - appID: on
                appDirPath: ./b
                enableAppHealthCheck: yes
                appHealthCheckPath: /health/live
              - appID: default-path
                appDirPath: ./c
                enableAppHealthCheck: true
            """, "b", "c");
        Assert.False(run.App("off").EnableAppHealthCheck);
        Assert.Null(run.App("off").AppHealthCheckPath);
        Assert.True(run.App("on").EnableAppHealthCheck); // YAML 1.1 "yes" is a bool for yaml.v2
        Assert.Equal("/health/live", run.App("on").AppHealthCheckPath);
        Assert.Equal(TimeSpan.FromSeconds(3), run.App("on").AppHealthProbeInterval);
        Assert.Equal("/healthz", run.App("default-path").AppHealthCheckPath);
    }

    [Fact]
    public void Common_switches_cannot_be_turned_off_by_an_app()
    {
        var app = LoadSingle("""
            version: 1
            common:
              enableAppHealthCheck: true
            apps:
              - appID: a
                appDirPath: ./a
                enableAppHealthCheck: false
            """);
        Assert.True(app.EnableAppHealthCheck); // false is Go's zero value, so common's true is merged in
    }

    [Fact]
    public void App_process_environment_is_what_the_cli_exports_and_env_wins()
    {
        var app = LoadSingle("""
            version: 1
            common:
              env:
                SHARED: common
                OVERRIDDEN: common
            apps:
              - appID: a
                appDirPath: ./a
                appPort: 5101
                env:
                  OVERRIDDEN: app
                  APP_PORT: "9999"
                  COUNT: 3
            """);
        Assert.Equal("common", app.Env["SHARED"]);
        Assert.Equal("app", app.Env["OVERRIDDEN"]);
        Assert.Equal("3", app.Env["COUNT"]);

        var env = app.AppProcessEnvironment(3500, 50001);
        Assert.Equal("a", env["APP_ID"]);
        Assert.Equal("3500", env["DAPR_HTTP_PORT"]);
        Assert.Equal("50001", env["DAPR_GRPC_PORT"]);
        Assert.Equal("http", env["APP_PROTOCOL"]);
        Assert.Equal("", env["APP_CHANNEL_ADDRESS"]); // exported even when empty
        Assert.Equal("9999", env["APP_PORT"]); // env overrides what the CLI set
        Assert.False(env.ContainsKey("DAPR_API_TOKEN"));
    }

    [Fact]
    public void Wrong_types_and_missing_fields_stop_the_cli()
    {
        Assert.Contains("cannot unmarshal !!str `five` into int",
            Assert.Throws<DaprStartupException>(() => LoadSingle("version: 1\napps:\n  - appDirPath: ./a\n    appPort: five\n")).Message, StringComparison.Ordinal);
        Assert.Contains("required field 'version' not found",
            Assert.Throws<DaprStartupException>(() => LoadSingle("apps:\n  - appDirPath: ./a\n")).Message, StringComparison.Ordinal);
        var missingDir = Assert.Throws<DaprStartupException>(() => Load("version: 1\napps:\n  - appDirPath: ./nowhere\n"));
        Assert.Contains(_temp.File("nowhere"), missingDir.Message, StringComparison.Ordinal);
        Assert.Contains("invalid value for 'app-protocol': soap",
            Assert.Throws<DaprStartupException>(() => LoadSingle("version: 1\napps:\n  - appDirPath: ./a\n    appProtocol: soap\n")).Message, StringComparison.Ordinal);
    }

    private static YamlMappingNode RootNode()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(RepoPaths.Root, "dapr.yaml"))));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>One-app run file in the scratch folder, with ./a and a resources folder so the CLI's checks pass.</summary>
    private RunFileApp LoadSingle(string yaml) => Assert.Single(Load(yaml).Apps);

    private DaprRunFile Load(string yaml, params string[] extraDirs)
    {
        Directory.CreateDirectory(_temp.File("a"));
        foreach (var d in extraDirs) Directory.CreateDirectory(_temp.File(d));
        var res = _temp.File("res");
        Directory.CreateDirectory(res);
        // Without resourcesPaths the CLI falls back to ~/.dapr/components, which this machine does not have.
        if (!yaml.Contains("resourcesPaths", StringComparison.Ordinal) && yaml.Contains("\ncommon:\n", StringComparison.Ordinal))
            yaml = yaml.Replace("\ncommon:\n", "\ncommon:\n  resourcesPaths: [./res]\n  configFilePath: ./res\n", StringComparison.Ordinal);
        else if (!yaml.Contains("resourcesPaths", StringComparison.Ordinal))
            yaml += "\ncommon:\n  resourcesPaths: [./res]\n";
        var path = _temp.File("dapr.yaml");
        File.WriteAllText(path, yaml);
        return DaprRunFile.Load(path);
    }
}
