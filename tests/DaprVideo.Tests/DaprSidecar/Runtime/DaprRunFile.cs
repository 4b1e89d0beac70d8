using System.Globalization;

namespace DaprVideo.Tests.DaprSidecar.Runtime;

/// <summary>
/// dapr.yaml as <c>dapr run -f</c> reads it (dapr/cli <c>cmd/run.go</c> <c>getRunFilePath</c>,
/// <c>pkg/runfileconfig/run_file_config_parser.go</c> <c>GetApps</c>, <c>cmd/run.go</c> <c>executeRun</c> →
/// <c>pkg/standalone/run.go</c> <c>SetDefaultFromSchema</c> + <c>Validate</c>), plus the daprd flag checks that make a
/// sidecar exit at once (dapr <c>cmd/daprd/options/options.go</c>, <c>pkg/runtime/config.go</c>).
/// Only the first YAML document is read; unknown keys (e.g. the removed <c>daprHTTPMaxRequestSize</c>) are ignored
/// without a word, keys are case-sensitive (<c>appId</c> is not <c>appID</c>).
/// Not modelled: ports (the CLI picks free ones), log files, placement/scheduler addresses, container/Kubernetes mode,
/// run file from stdin, the CLI's own component validation (<see cref="SidecarResources"/> raises the same errors).
/// </summary>
public sealed class DaprRunFile
{
    private DaprRunFile(string directory, string path, IReadOnlyList<RunFileApp> apps)
    {
        Directory = directory;
        FilePath = path;
        Apps = apps;
    }

    /// <summary>Absolute folder of the run file: the base of <c>appDirPath</c> and of <c>common</c>'s paths.</summary>
    public string Directory { get; }

    /// <summary>The run file itself (a folder given to <see cref="Load"/> means its dapr.yaml).</summary>
    public string FilePath { get; }

    public IReadOnlyList<RunFileApp> Apps { get; }

    public RunFileApp App(string appId) =>
        Apps.FirstOrDefault(a => a.AppId == appId) ?? throw new KeyNotFoundException($"no app '{appId}' in {FilePath}");

    /// <summary>Reads a run file (or a folder holding dapr.yaml); throws <see cref="DaprStartupException"/> where the CLI or daprd would stop.</summary>
    public static DaprRunFile Load(string runFilePath)
    {
        var path = RunFilePath(runFilePath);
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw Fail($"error in reading the provided app config file: open {path}: {e.Message}"); }

        GoYamlNode? root;
        try { root = GoYamlReader.ReadFirstDocument(text); }
        catch (GoYamlSyntaxException e) { throw Fail($"error in parsing the provided app config file: {e.Message}"); }

        var typeErrors = new List<string>();
        var rootMap = root switch
        {
            null => null,
            GoYamlMap m => m,
            GoYamlScalar s when GoScalar.Resolve(s).Kind == GoScalarKind.Null => null,
            _ => Mismatch(root, "runfileconfig.RunFileConfig", typeErrors),
        };
        var top = new GoYamlV2Fields(rootMap, typeErrors);
        var version = top.Int("version");
        var common = SharedRunConfig.Read(new GoYamlV2Fields(top.Map("common", "runfileconfig.Common"), typeErrors));
        var apps = new List<AppConfig>();
        foreach (var item in top.Seq("apps", "[]runfileconfig.App") ?? [])
        {
            if (item is GoYamlMap appMap) apps.Add(AppConfig.Read(new GoYamlV2Fields(appMap, typeErrors)));
            else if (item is GoYamlScalar s && GoScalar.Resolve(s).Kind == GoScalarKind.Null) apps.Add(AppConfig.Read(new GoYamlV2Fields(null, typeErrors)));
            else top.Mismatch(item, "runfileconfig.App");
        }
        if (typeErrors.Count > 0)
            throw Fail("error in parsing the provided app config file: yaml: unmarshal errors:\n  " + string.Join("\n  ", typeErrors));

        // validateRunConfig
        var baseDir = Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (version == 0) throw Fail("required field 'version' not found in the provided run template file");
        common.ConfigFile = ResolveAndValidate(baseDir, common.ConfigFile);
        common.ResourcesPath = ResolveAndValidate(baseDir, common.ResourcesPath);
        common.DaprdInstallPath = ResolveAndValidate(baseDir, common.DaprdInstallPath);
        if (common.ResourcesPaths is { } crp)
            for (var i = 0; i < crp.Count; i++) crp[i] = ResolveAndValidate(baseDir, crp[i]);
        if (common.ResourcesPath.Trim().Length > 0) (common.ResourcesPaths ??= []).Add(common.ResourcesPath);

        foreach (var app in apps)
        {
            if (app.AppDirPath.Length == 0) throw Fail("required field 'appDirPath' not found in the provided app config file");
            app.AppDirPath = ResolveAndValidate(baseDir, app.AppDirPath);
            // Everything else in an app's own section is relative to that app's appDirPath.
            app.Shared.ConfigFile = ResolveAndValidate(app.AppDirPath, app.Shared.ConfigFile);
            app.Shared.ResourcesPath = ResolveAndValidate(app.AppDirPath, app.Shared.ResourcesPath);
            app.Shared.DaprdInstallPath = ResolveAndValidate(app.AppDirPath, app.Shared.DaprdInstallPath);
            if (app.Shared.ResourcesPaths is { } arp)
                for (var i = 0; i < arp.Count; i++) arp[i] = ResolveAndValidate(app.AppDirPath, arp[i]);
            if (app.Shared.ResourcesPath.Trim().Length > 0) (app.Shared.ResourcesPaths ??= []).Add(app.Shared.ResourcesPath);
            if (app.ContainerImagePullPolicy.Length > 0 && app.ContainerImagePullPolicy is not ("Always" or "Never" or "IfNotPresent"))
                throw Fail($"invalid containerImagePullPolicy: {app.ContainerImagePullPolicy}, allowed values: Always, Never, IfNotPresent");
        }

        // resolveResourcesAndConfigFilePaths
        foreach (var app in apps)
        {
            if (app.Shared.DaprdInstallPath.Length == 0) app.Shared.DaprdInstallPath = common.DaprdInstallPath;
            if (app.Shared.ResourcesPaths is not { Count: > 0 })
            {
                var local = Path.Combine(app.AppDirPath, ".dapr", "resources");
                if (Exists(local)) app.Shared.ResourcesPaths = [local];
                else if (common.ResourcesPaths is { Count: > 0 }) app.Shared.ResourcesPaths = [.. app.Shared.ResourcesPaths ?? [], .. common.ResourcesPaths];
                else app.Shared.ResourcesPaths = [Path.Combine(DaprRuntimeDir(app.Shared.DaprdInstallPath), "components")];
            }
            if (app.Shared.ConfigFile.Length == 0)
            {
                var local = Path.Combine(app.AppDirPath, ".dapr", "config.yaml");
                if (Exists(local)) app.Shared.ConfigFile = local;
                else if (common.ConfigFile.Trim().Length > 0) app.Shared.ConfigFile = common.ConfigFile;
                else app.Shared.ConfigFile = Path.Combine(DaprRuntimeDir(app.Shared.DaprdInstallPath), "config.yaml");
            }
        }

        // mergeCommonAndAppsSharedRunConfig, mergeCommonAndAppsEnv, setDefaultFields
        foreach (var app in apps)
        {
            app.Shared.TakeZeroFieldsFrom(common);
            var env = new Dictionary<string, string>(app.Shared.Env ?? new Dictionary<string, string>(), StringComparer.Ordinal);
            foreach (var (k, v) in common.Env ?? new Dictionary<string, string>()) env.TryAdd(k, v);
            app.Shared.Env = env;
            if (app.AppId.Length == 0) app.AppId = Path.GetFileName(app.AppDirPath.TrimEnd(Path.DirectorySeparatorChar));
            ValidateLogDestination(app.Shared.DaprdLogDestination);
            ValidateLogDestination(app.Shared.AppLogDestination);
        }

        var displayPath = path;
        return new DaprRunFile(baseDir, path, [.. apps.Select(a => ToRunFileApp(a, displayPath))]);
    }

    /// <summary>What <c>executeRun</c> (SetDefaultFromSchema + Validate) and daprd's flag parsing make of one app.</summary>
    private static RunFileApp ToRunFileApp(AppConfig app, string runFilePath)
    {
        var s = app.Shared;
        DaprStartupException Invalid(string message) =>
            Fail($"Error validating run config for app \"{app.AppId}\" present in {runFilePath}: {message}");

        foreach (var p in s.ResourcesPaths!)
            if (!Exists(p))
                throw Invalid($"error validating resources path [{string.Join(" ", s.ResourcesPaths!.Select(x => $"\"{x}\""))}] : stat {p}: no such file or directory");

        var maxBody = s.MaxRequestBodySize.Length == 0 ? "4Mi" : s.MaxRequestBodySize;
        if (!ResourceQuantity.TryParse(maxBody, out var bodyN, out var bodyD, out var bodyErr)) throw Invalid($"invalid max request body size: {bodyErr}");
        var readBuf = s.HTTPReadBufferSize.Length == 0 ? "4Ki" : s.HTTPReadBufferSize;
        if (!ResourceQuantity.TryParse(readBuf, out var bufN, out var bufD, out var bufErr)) throw Invalid($"invalid http read buffer size: {bufErr}");

        // daprd: --max-body-size must come out as whole bytes (getQuantityBytes); the CLI already turned negatives into -1.
        long Bytes(System.Numerics.BigInteger n, int d, string option, string given)
        {
            if (n.Sign < 0) return -1;
            if (!ResourceQuantity.TryGetBytes(n, d, out var bytes))
                throw Fail($"[{app.AppId}] daprd: Failed to parse flags: invalid value for '{option}' option: cannot get bytes from resource quantity value '{given}'");
            return bytes;
        }
        var maxBodyBytes = Bytes(bodyN, bodyD, "max-body-size", maxBody);
        var readBufferBytes = Bytes(bufN, bufD, "read-buffer-size", readBuf);

        var protocol = (s.AppProtocol.Length == 0 ? "http" : s.AppProtocol).ToLowerInvariant() switch
        {
            "http" => s.AppSSL ? "https" : "http",
            "grpc" => s.AppSSL ? "grpcs" : "grpc",
            var p when p is "https" or "grpcs" or "h2c" => p,
            _ => throw Fail($"[{app.AppId}] daprd: Fatal error from runtime: invalid value for 'app-protocol': {s.AppProtocol}"),
        };

        var interval = s.AppHealthInterval > 0 ? TimeSpan.FromSeconds(s.AppHealthInterval) : TimeSpan.FromSeconds(5);
        var timeout = s.AppHealthTimeout > 0 ? TimeSpan.FromMilliseconds(s.AppHealthTimeout) : TimeSpan.FromMilliseconds(500);
        if (timeout > interval)
            throw Fail($"[{app.AppId}] daprd: Fatal error from runtime: value for 'health-probe-timeout' must be smaller than 'health-probe-interval'");

        return new RunFileApp
        {
            AppId = app.AppId,
            AppDirPath = app.AppDirPath,
            AppPort = app.AppPort > 0 ? checked((int)app.AppPort) : null,
            AppProtocol = protocol,
            Command = app.Command ?? [],
            Env = s.Env!,
            ResourcesPaths = s.ResourcesPaths!,
            ConfigFilePath = s.ConfigFile,
            MaxBodyBytes = maxBodyBytes,
            ReadBufferBytes = readBufferBytes,
            EnableAppHealthCheck = s.EnableAppHealth,
            AppHealthCheckPath = s.EnableAppHealth ? (s.AppHealthPath.Length > 0 ? s.AppHealthPath : "/healthz") : null,
            AppHealthProbeInterval = interval,
            AppHealthProbeTimeout = timeout,
            AppHealthThreshold = s.AppHealthThreshold is >= 1 and <= int.MaxValue - 1 ? (int)s.AppHealthThreshold : 3,
            LogLevel = s.LogLevel.Length > 0 ? s.LogLevel : null,
            AppChannelAddress = app.AppChannelAddress,
            DaprHttpPort = app.HttpPort > 0 ? checked((int)app.HttpPort) : null,
            DaprGrpcPort = app.GrpcPort > 0 ? checked((int)app.GrpcPort) : null,
        };
    }

    private static string RunFilePath(string given)
    {
        if (System.IO.Directory.Exists(given))
        {
            var inDir = Path.Combine(given, "dapr.yaml");
            if (!File.Exists(inDir))
                throw Fail($"Failed to get run file path: error in validating the file path \"{inDir}\": error in getting the file info for {inDir}: stat {inDir}: no such file or directory");
            return inDir;
        }
        if (!File.Exists(given)) throw Fail($"Failed to get run file path: error getting file info for {given}: stat {given}: no such file or directory");
        if (!given.EndsWith(".yaml", StringComparison.Ordinal) && !given.EndsWith(".yml", StringComparison.Ordinal))
            throw Fail($"Failed to get run file path: file \"{given}\" is not a YAML file");
        return given;
    }

    /// <summary>cli <c>resolvePathToAbsAndValidate</c>: "~/" → home, relative → joined to <paramref name="baseDir"/>, then it must exist.</summary>
    private static string ResolveAndValidate(string baseDir, string path)
    {
        if (path.Length == 0) return "";
        if (path.StartsWith("~/", StringComparison.Ordinal)) path = Path.Combine(Home(), path[2..]);
        var abs = Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDir, path));
        if (!Exists(abs)) throw Fail($"error in getting the file info for {abs}: stat {abs}: no such file or directory");
        return abs;
    }

    private static bool Exists(string path) => File.Exists(path) || System.IO.Directory.Exists(path);

    private static string Home() => Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>cli <c>standalone.GetDaprRuntimePath</c>: runtimePath, else $DAPR_RUNTIME_PATH, else $HOME – each + ".dapr".</summary>
    private static string DaprRuntimeDir(string runtimePath)
    {
        if (runtimePath.Trim().Length > 0) return Path.Combine(runtimePath, ".dapr");
        var env = Environment.GetEnvironmentVariable("DAPR_RUNTIME_PATH")?.Trim();
        return Path.Combine(string.IsNullOrEmpty(env) ? Home() : env, ".dapr");
    }

    private static void ValidateLogDestination(string value)
    {
        if (value.Length > 0 && value is not ("console" or "file" or "fileAndConsole"))
            throw Fail($"invalid log destination type: {value}");
    }

    private static GoYamlMap? Mismatch(GoYamlNode node, string goType, List<string> errors)
    {
        new GoYamlV2Fields(null, errors).Mismatch(node, goType);
        return null;
    }

    private static DaprStartupException Fail(string message) => new(message);

    /// <summary>cli <c>standalone.SharedRunConfig</c>: the keys <c>common</c> and every app may set.</summary>
    private sealed class SharedRunConfig
    {
        public string ConfigFile = "", AppProtocol = "", ApiListenAddresses = "", LogLevel = "", ComponentsPath = "", ResourcesPath = "";
        public string MaxRequestBodySize = "", HTTPReadBufferSize = "", AppHealthPath = "", DaprdInstallPath = "";
        public string DaprdLogDestination = "", AppLogDestination = "";
        public string? PlacementHostAddr, SchedulerHostAddress;
        public bool EnableProfiling, AppSSL, EnableAppHealth, EnableAPILogging;
        public long MaxConcurrency, AppHealthInterval, AppHealthTimeout, AppHealthThreshold;
        public List<string>? ResourcesPaths;
        public Dictionary<string, string>? Env;

        public static SharedRunConfig Read(GoYamlV2Fields f) => new()
        {
            ConfigFile = f.String("configFilePath"),
            AppProtocol = f.String("appProtocol"),
            ApiListenAddresses = f.String("apiListenAddresses"),
            EnableProfiling = f.Bool("enableProfiling"),
            LogLevel = f.String("logLevel"),
            MaxConcurrency = f.Int("appMaxConcurrency"),
            PlacementHostAddr = f.StringOrNull("placementHostAddress"),
            ComponentsPath = f.String("componentspath"), // untagged Go field: yaml.v2 uses the lower-cased field name
            ResourcesPath = f.String("resourcesPath"),
            ResourcesPaths = f.StringList("resourcesPaths")?.ToList(),
            AppSSL = f.Bool("appSSL"),
            MaxRequestBodySize = f.String("maxBodySize"),
            HTTPReadBufferSize = f.String("readBufferSize"),
            EnableAppHealth = f.Bool("enableAppHealthCheck"),
            AppHealthPath = f.String("appHealthCheckPath"),
            AppHealthInterval = f.Int("appHealthProbeInterval"),
            AppHealthTimeout = f.Int("appHealthProbeTimeout"),
            AppHealthThreshold = f.Int("appHealthThreshold"),
            EnableAPILogging = f.Bool("enableApiLogging"),
            DaprdInstallPath = f.String("runtimePath"),
            Env = f.StringMap("env") is { } env ? new Dictionary<string, string>(env, StringComparer.Ordinal) : null,
            DaprdLogDestination = f.String("daprdLogDestination"),
            AppLogDestination = f.String("appLogDestination"),
            SchedulerHostAddress = f.StringOrNull("schedulerHostAddress"),
        };

        /// <summary>cli <c>mergeCommonAndAppsSharedRunConfig</c>: every field still at Go's zero value takes common's
        /// value – so an app cannot switch off a bool that common switched on.</summary>
        public void TakeZeroFieldsFrom(SharedRunConfig c)
        {
            static string S(string app, string common) => app.Length == 0 ? common : app;
            ConfigFile = S(ConfigFile, c.ConfigFile);
            AppProtocol = S(AppProtocol, c.AppProtocol);
            ApiListenAddresses = S(ApiListenAddresses, c.ApiListenAddresses);
            LogLevel = S(LogLevel, c.LogLevel);
            ComponentsPath = S(ComponentsPath, c.ComponentsPath);
            ResourcesPath = S(ResourcesPath, c.ResourcesPath);
            MaxRequestBodySize = S(MaxRequestBodySize, c.MaxRequestBodySize);
            HTTPReadBufferSize = S(HTTPReadBufferSize, c.HTTPReadBufferSize);
            AppHealthPath = S(AppHealthPath, c.AppHealthPath);
            DaprdInstallPath = S(DaprdInstallPath, c.DaprdInstallPath);
            DaprdLogDestination = S(DaprdLogDestination, c.DaprdLogDestination);
            AppLogDestination = S(AppLogDestination, c.AppLogDestination);
            PlacementHostAddr ??= c.PlacementHostAddr;
            SchedulerHostAddress ??= c.SchedulerHostAddress;
            EnableProfiling |= c.EnableProfiling;
            AppSSL |= c.AppSSL;
            EnableAppHealth |= c.EnableAppHealth;
            EnableAPILogging |= c.EnableAPILogging;
            if (MaxConcurrency == 0) MaxConcurrency = c.MaxConcurrency;
            if (AppHealthInterval == 0) AppHealthInterval = c.AppHealthInterval;
            if (AppHealthTimeout == 0) AppHealthTimeout = c.AppHealthTimeout;
            if (AppHealthThreshold == 0) AppHealthThreshold = c.AppHealthThreshold;
            ResourcesPaths ??= c.ResourcesPaths;
            Env ??= c.Env;
        }
    }

    /// <summary>cli <c>runfileconfig.App</c>: <c>standalone.RunConfig</c> + container settings + <c>appDirPath</c>.</summary>
    private sealed class AppConfig
    {
        public string AppId = "", AppChannelAddress = "", AppDirPath = "", ContainerImagePullPolicy = "";
        public long AppPort, HttpPort, GrpcPort;
        public IReadOnlyList<string>? Command;
        public SharedRunConfig Shared = new();

        public static AppConfig Read(GoYamlV2Fields f)
        {
            var app = new AppConfig
            {
                AppId = f.String("appID"),
                AppChannelAddress = f.String("appChannelAddress"),
                AppPort = f.Int("appPort"),
                HttpPort = f.Int("daprHTTPPort"),
                GrpcPort = f.Int("daprGRPCPort"),
                Command = f.StringList("command"),
                AppDirPath = f.String("appDirPath"),
                ContainerImagePullPolicy = f.String("containerImagePullPolicy"),
                Shared = SharedRunConfig.Read(f),
            };
            // Read for their type errors only (the stand-in has no use for them).
            _ = (f.Int("profilePort"), f.Int("metricsPort"), f.String("unixDomainSocket"), f.Int("daprInternalGRPCPort"),
                f.String("containerImage"), f.Bool("createService"));
            return app;
        }
    }
}
