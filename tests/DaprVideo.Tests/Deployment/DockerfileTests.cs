using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DaprVideo.Tests.Deployment;

/// <summary>
/// The one Dockerfile at the repository root, built once per deployed service with <c>--build-arg SERVICE=&lt;app id&gt;</c>
/// (k8s/README.md), checked statically (no Docker engine here): for every service, multi-stage on pinned .NET images,
/// a cached restore from every project file the service needs, a Release publish of a project that
/// exists, a non-root user, the port its Kubernetes Service targets, ffmpeg only where it is used and
/// nothing fetched beyond the distro's packages.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] FfmpegServices = ["Ingest", "Inference"];

    public static TheoryData<string> ServiceDirectories() => [.. Conventions.Apps.Select(a => a.ProjectDirectory)];

    [Fact]
    public void One_dockerfile_builds_exactly_the_deployed_services_chosen_by_the_service_build_arg()
    {
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "services"), "Dockerfile", SearchOption.AllDirectories));
        var dockerfile = Dockerfile.Load(RootDockerfile);
        Assert.Contains(dockerfile.GlobalArgs, a => a.Arguments == "SERVICE"); // no default: a build without it fails

        // The stages that run something are the images; there is one per deployed app, and SERVICE picks it.
        var images = dockerfile.Stages.Where(s => s.All("ENTRYPOINT").Any()).Select(s => s.Name).Order(StringComparer.Ordinal);
        Assert.Equal(Conventions.Apps.Select(a => a.Id).Order(StringComparer.Ordinal), images);
        foreach (var app in Conventions.Apps)
            Assert.Equal(app.Id, Load(app.ProjectDirectory).FinalBaseName);
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Builds_in_a_pinned_sdk_stage_and_runs_on_the_pinned_aspnet_runtime(string service)
    {
        var dockerfile = Load(service);
        Assert.True(dockerfile.Stages.Count >= 2, $"{service}: not a multi-stage build");
        Assert.NotNull(dockerfile.Stages[0].Name);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/sdk:10\.0[A-Za-z0-9.-]*$", dockerfile.Stages[0].BaseImage);
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/aspnet:10\.0[A-Za-z0-9.-]*$", dockerfile.Final.BaseImage);
        Assert.Contains(dockerfile.Final.All("COPY"), c => c.Arguments.StartsWith($"--from={dockerfile.Stages[0].Name}", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Restores_from_project_files_first_then_publishes_release_without_restore(string service)
    {
        var build = Load(service).Stages[0];
        var project = PublishedProject(service);
        var steps = build.Instructions.ToList();

        var restore = steps.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore " + project, StringComparison.Ordinal));
        var publish = steps.FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish " + project, StringComparison.Ordinal));
        var sources = steps.FindIndex(i => i.Keyword == "COPY" && Dockerfile.ParseCopy(i.Arguments).Sources.Contains("services/"));
        Assert.True(restore >= 0, $"{service}: no `dotnet restore {project}`");
        Assert.True(publish > restore, $"{service}: no `dotnet publish {project}` after the restore");
        Assert.True(sources > restore && sources < publish, $"{service}: sources must be copied after the restore (cache) and before the publish");
        Assert.Matches(@"(^|\s)-c Release(\s|$)", steps[publish].Arguments);
        Assert.Contains("--no-restore", steps[publish].Arguments, StringComparison.Ordinal);

        var beforeRestore = steps.Take(restore).Where(i => i.Keyword == "COPY").SelectMany(i => Dockerfile.ParseCopy(i.Arguments).Sources).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Directory.Build.props", beforeRestore);
        Assert.Contains("Directory.Packages.props", beforeRestore);
        Assert.Contains(project, beforeRestore);

        AssertProjectExists(service);
        var missing = ProjectClosure(project).Where(p => !beforeRestore.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"{service}: restore needs {string.Join(", ", missing)}, not copied before `dotnet restore`");
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Publishes_an_existing_project_with_the_files_it_takes_from_the_repo(string service)
    {
        var project = PublishedProject(service);
        AssertProjectExists(service);
        var copied = Load(service).Stages[0].All("COPY").SelectMany(i => Dockerfile.ParseCopy(i.Arguments).Sources).ToList();
        foreach (var file in ProjectClosure(project).SelectMany(RepoRootFiles))
            Assert.True(copied.Any(c => file == c.TrimEnd('/') || file.StartsWith(c.EndsWith('/') ? c : c + "/", StringComparison.Ordinal)),
                $"{service}: {project} takes {file} from the repository, but the build stage does not copy it");
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Runs_the_published_assembly_as_a_non_root_user(string service)
    {
        var final = Load(service).Final;
        var user = Assert.Single(final.All("USER")).Arguments;
        Assert.True(user == "$APP_UID" || user == "app" || (int.TryParse(user.Split(':')[0], out var uid) && uid > 0),
            $"{service}: USER {user} is not an unprivileged user");

        var entrypoint = Assert.Single(final.All("ENTRYPOINT")).Arguments;
        AssertProjectExists(service);
        Assert.Equal($"[\"dotnet\", \"{AssemblyName(PublishedProject(service))}.dll\"]", entrypoint);
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Exposes_every_port_its_kubernetes_service_targets(string service)
    {
        var exposed = Load(service).Final.All("EXPOSE")
            .SelectMany(e => e.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        var rendered = Rendered.Of("overlays/redis");
        var workload = Assert.Single(rendered.Workloads,
            w => w.Containers.Any(c => c["image"].Text?.StartsWith($"daprvideo/{service.ToLowerInvariant()}:", StringComparison.Ordinal) == true));
        var targeted = rendered.ServicesSelecting(workload)
            .SelectMany(s => s.Root["spec"]["ports"].Items)
            .Select(p => Rendered.ResolvePort(workload, p["targetPort"]))
            .ToList();
        Assert.NotEmpty(targeted);
        Assert.All(targeted, port => Assert.True(port is not null && exposed.Contains(port.Value),
            $"{service}: its Service targets port {port}, which the image does not EXPOSE ({string.Join(", ", exposed)})"));
    }

    [Theory]
    [MemberData(nameof(ServiceDirectories))]
    public void Installs_ffmpeg_only_where_it_is_used_and_fetches_nothing_else(string service)
    {
        var dockerfile = Load(service);
        var runs = dockerfile.Stages.SelectMany(s => s.All("RUN")).Select(r => r.Arguments).ToList();
        var finalRuns = dockerfile.Final.All("RUN").Select(r => r.Arguments).ToList();

        if (FfmpegServices.Contains(service))
        {
            var install = Assert.Single(finalRuns, r => AptInstall().IsMatch(r));
            Assert.Contains("--no-install-recommends", install, StringComparison.Ordinal);
            Assert.Matches(@"\bffmpeg\b", install);
            Assert.Matches(@"\bfonts-dejavu-core\b", install);
            Assert.Contains("rm -rf /var/lib/apt/lists", install, StringComparison.Ordinal);
        }
        else
        {
            Assert.DoesNotContain(runs, r => r.Contains("ffmpeg", StringComparison.Ordinal));
        }
        Assert.DoesNotContain(runs, r => Downloader().IsMatch(r));
        Assert.DoesNotContain(dockerfile.Stages.SelectMany(s => s.All("ADD")), a => a.Arguments.Contains("://", StringComparison.Ordinal));
    }

    [Fact]
    public void Dockerignore_drops_build_output_and_tests_but_keeps_what_the_images_copy()
    {
        var patterns = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        foreach (var required in new[] { "**/bin", "**/obj", "tests", ".git" })
            Assert.Contains(required, patterns);

        var copied = Conventions.Apps.SelectMany(a => Load(a.ProjectDirectory).Stages)
            .SelectMany(s => s.All("COPY")).Where(c => !c.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .SelectMany(c => Dockerfile.ParseCopy(c.Arguments).Sources).Select(s => s.TrimEnd('/')).Distinct(StringComparer.Ordinal);
        foreach (var source in copied)
            Assert.DoesNotContain(patterns, p => !p.StartsWith('!') && (source == p || source.StartsWith(p + "/", StringComparison.Ordinal)));
    }

    private static string RootDockerfile => Path.Combine(RepoPaths.Root, "Dockerfile");

    /// <summary>The build of <paramref name="service"/>'s image: <c>docker build --build-arg SERVICE=&lt;its app id&gt; .</c></summary>
    private static DockerBuild Load(string service) =>
        Dockerfile.Load(RootDockerfile).Build(new Dictionary<string, string>
        {
            ["SERVICE"] = Conventions.Apps.Single(a => a.ProjectDirectory == service).Id,
        });

    private static string PublishedProject(string service) => $"services/{service}/DaprVideo.{service}.csproj";

    private static void AssertProjectExists(string service) =>
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, PublishedProject(service))), $"{service}: {PublishedProject(service)} does not exist");

    /// <summary>The project and everything it references, as repo-relative paths.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var seen = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (seen.Contains(current)) continue;
            seen.Add(current);
            var full = Path.Combine(RepoPaths.Root, current);
            foreach (var reference in XDocument.Load(full).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace("$(RepoRoot)", RepoPaths.Root + "/", StringComparison.Ordinal);
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(full)!, include.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(RepoPaths.Root, target).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
        return seen;
    }

    /// <summary>Files a project takes from outside its folder through $(RepoRoot) (the model, for one).</summary>
    private static IEnumerable<string> RepoRootFiles(string project) =>
        RepoRootReference().Matches(File.ReadAllText(Path.Combine(RepoPaths.Root, project)))
            .Select(m => m.Groups["path"].Value)
            .Distinct(StringComparer.Ordinal);

    private static string AssemblyName(string project) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, project)).Descendants("AssemblyName").FirstOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(project);

    [GeneratedRegex(@"apt-get\s+install")]
    private static partial Regex AptInstall();

    [GeneratedRegex(@"\b(curl|wget)\b|https?://")]
    private static partial Regex Downloader();

    [GeneratedRegex(@"\$\(RepoRoot\)(?<path>[^""';]+)")]
    private static partial Regex RepoRootReference();
}
