using System.Text.RegularExpressions;
using DaprVideo.Settings;

namespace DaprVideo.Tests.Settings;

/// <summary>The catalogue is complete, self-consistent, and the README's table is the catalogue's.</summary>
public sealed partial class SettingsCatalogueTests
{
    private static readonly SettingsReader Unset = new(_ => null);

    public static TheoryData<string> Names() => [.. SettingsCatalogue.All.Select(s => s.Name)];

    [Fact]
    public void Names_are_unique_environment_variable_names()
    {
        Assert.Equal(SettingsCatalogue.All.Count, SettingsCatalogue.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(SettingsCatalogue.All, s => Assert.Matches("^[A-Z][A-Z0-9_]*$", s.Name));
        Assert.All(SettingsCatalogue.All, s => Assert.Same(s, SettingsCatalogue.Find(s.Name)));
        Assert.Null(SettingsCatalogue.Find("NO_SUCH_SETTING"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_setting_is_documented_in_one_line(string name)
    {
        var setting = SettingsCatalogue.Find(name)!;
        foreach (var text in new[] { setting.Meaning, setting.DefaultText, setting.AllowedText })
        {
            Assert.False(string.IsNullOrWhiteSpace(text), name);
            Assert.DoesNotContain('\n', text);
            Assert.DoesNotContain('|', text); // would break the README table
        }
    }

    [Fact]
    public void Defaults_are_within_their_ranges()
    {
        foreach (var setting in SettingsCatalogue.All)
        {
            switch (setting)
            {
                case WholeNumberSetting n:
                    Assert.True(n.Min <= n.Max, n.Name);
                    Assert.True(n.Allows(n.Default), $"{n.Name} default {n.Default} outside {n.AllowedText}");
                    Assert.Equal(n.Default, Unset.WholeNumber(n));
                    break;
                case NumberSetting n:
                    Assert.True(n.Min <= n.Max, n.Name);
                    Assert.True(n.Allows(n.Default), $"{n.Name} default {n.Default} outside {n.AllowedText}");
                    Assert.Equal(n.Default, Unset.Number(n));
                    break;
                case ChoiceSetting c:
                    Assert.Contains(c.Default, c.Allowed);
                    Assert.Equal(c.Default, Unset.Choice(c));
                    break;
                case TextSetting t:
                    if (t.Default is not null && t.Pattern is not null) Assert.Matches(t.Pattern, t.Default);
                    Assert.Equal(t.Default, Unset.Text(t));
                    break;
                case SwitchSetting s:
                    Assert.Equal(s.Default, Unset.Switch(s));
                    break;
                case ListSetting l:
                    Assert.Empty(Unset.List(l));
                    break;
                case UrlSetting u:
                    Assert.Null(Unset.Url(u));
                    break;
                case DurationSetting d:
                    Assert.Null(Unset.Duration(d));
                    break;
                case ByteSizeSetting b:
                    Assert.Null(Unset.ByteSize(b));
                    break;
                default:
                    Assert.Fail($"{setting.Name}: no test for {setting.GetType().Name}");
                    break;
            }
        }
    }

    /// <summary>The disagreement this catalogue ended: one default and range for every host.</summary>
    [Fact]
    public void Batch_size_has_one_default_and_range()
    {
        Assert.Equal((4, 1, 64), (SettingsCatalogue.BatchSize.Default, SettingsCatalogue.BatchSize.Min, SettingsCatalogue.BatchSize.Max));
        Assert.Equal(4, new DaprVideo.TfServing.TfServingOptions().BatchSize);
        Assert.Equal(4, DaprVideo.TfServing.TfServingOptions.FromEnvironment(_ => null).BatchSize);
        Assert.Equal(4, DaprVideo.Embedded.PipelineSettings.From(Unset).BatchSize);
        Assert.Throws<SettingsException>(() => DaprVideo.TfServing.TfServingOptions.FromEnvironment(n => n == "BATCH_SIZE" ? "65" : null));
    }

    public static TheoryData<string, string> BadValues() => new()
    {
        { "SEGMENT_SECONDS", "0.1" }, { "SEGMENT_SECONDS", "three" }, { "DETECT_FPS", "0" }, { "BATCH_SIZE", "65" },
        { "BATCH_TIMEOUT_MS", "-1" }, { "SCORE_THRESHOLD", "1.5" }, { "DEBUG", "maybe" }, { "LOG_LEVEL", "Loud" },
        { "TF_SERVING_INPUT_SIZE", "half" }, { "TF_SERVING_TIMEOUT_MS", "5" }, { "DETECTOR_THREADS", "-2" },
        { "MEDIA_DIRS", "/no/such/folder" }, { "MAX_STREAMS", "0" }, { "PUBSUB_NAME", "pub sub" },
        { "OBJECTSTORE_BINDING", "../x" }, { "APP_PORT", "70000" }, { "APP_API_TOKEN", "two words" },
        { "DAPR_API_TOKEN", "tab\there" }, { "DAPR_GRPC_ENDPOINT", "ftp://x" }, { "DAPR_HTTP_ENDPOINT", "not a url" },
        { "DAPR_GRPC_PORT", "0" }, { "DAPR_HTTP_PORT", "99999" },
        { "CORS_ALLOWED_ORIGINS", "https://player.example/path" }, { "CORS_ALLOWED_ORIGINS", "null" },
        { "CORS_ALLOWED_ORIGINS", "player.example" }, { "CORS_ALLOWED_ORIGINS", "https://a.example,,https://b.example" },
        { "NOTIFY_BINDINGS", "web hook" }, { "NOTIFY_BINDINGS", "webhook,,mqtt" }, { "NOTIFY_BINDINGS", "../x" },
        { "NOTIFY_UPDATES", "sometimes" }, { "EVENTS_WEBHOOK_URL", "ftp://hooks.example/x" },
        { "EVENTS_WEBHOOK_URL", "hooks.example/x" }, { "EVENTS_WEBHOOK_URL", "file:///etc/passwd" },
    };

    /// <summary>A webhook URL may carry a token: the error names the variable but never quotes the value.</summary>
    [Fact]
    public void A_bad_webhook_url_is_refused_without_showing_it()
    {
        var reader = new SettingsReader(n => n == "EVENTS_WEBHOOK_URL" ? "ftp://user:hunter2@hooks.example/x?token=s3cret" : null);
        var ex = Assert.Throws<SettingsException>(() => reader.Url(SettingsCatalogue.EventsWebhookUrl));
        Assert.StartsWith("EVENTS_WEBHOOK_URL: must be an absolute http or https URL", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hooks.example", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Notification_settings_are_parsed()
    {
        var values = new Dictionary<string, string>
        {
            ["NOTIFY_BINDINGS"] = " webhook , mqtt.alerts,ops_hook ", ["NOTIFY_UPDATES"] = "yes", ["EVENTS_WEBHOOK_URL"] = "https://hooks.example/in?k=1",
        };
        var reader = new SettingsReader(n => values.GetValueOrDefault(n));
        Assert.Equal("webhook , mqtt.alerts,ops_hook", reader.Text(SettingsCatalogue.NotifyBindings));
        Assert.True(reader.Switch(SettingsCatalogue.NotifyUpdates));
        Assert.Equal(new Uri("https://hooks.example/in?k=1"), reader.Url(SettingsCatalogue.EventsWebhookUrl));
    }

    [Theory]
    [MemberData(nameof(BadValues))]
    public void A_bad_value_throws_the_one_exception_type_naming_the_variable(string name, string value)
    {
        var reader = new SettingsReader(n => n == name ? value : null);
        var ex = Assert.Throws<SettingsException>(() => Read(reader, SettingsCatalogue.Find(name)!));

        Assert.Equal(name, ex.Variable);
        Assert.StartsWith($"{name}: ", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void A_verbatim_token_ends_where_its_text_ends()
    {
        // $ would match before a final newline, and a verbatim value keeps it.
        var reader = new SettingsReader(n => n == "APP_API_TOKEN" ? "token\n" : null);
        Assert.Throws<SettingsException>(() => reader.Text(SettingsCatalogue.AppApiToken));
    }

    [Fact]
    public void Values_are_parsed_by_type()
    {
        var values = new Dictionary<string, string>
        {
            ["SEGMENT_SECONDS"] = " 1.5 ", ["DEBUG"] = "ON", ["LOG_LEVEL"] = "debug", ["TF_SERVING_INPUT_SIZE"] = "FULL",
            ["MEDIA_DIRS"] = $"{RepoPaths.Root}::{Path.Combine(RepoPaths.Root, "assets")}", ["DAPR_HTTP_ENDPOINT"] = "https://sidecar:3500",
            ["API_KEY"] = "  secret  ", ["APP_API_TOKEN"] = "token",
        };
        var reader = new SettingsReader(n => values.GetValueOrDefault(n));

        Assert.Equal(1.5, reader.Number(SettingsCatalogue.SegmentSeconds));
        Assert.True(reader.Switch(SettingsCatalogue.Debug));
        Assert.Equal("Debug", reader.Choice(SettingsCatalogue.LogLevel));
        Assert.Equal(0, reader.WholeNumber(SettingsCatalogue.TfServingInputSize));
        Assert.Equal([RepoPaths.Root, Path.Combine(RepoPaths.Root, "assets")], reader.List(SettingsCatalogue.MediaDirs));
        Assert.Equal(new Uri("https://sidecar:3500"), reader.Url(SettingsCatalogue.DaprHttpEndpoint));
        Assert.Equal("secret", reader.Text(SettingsCatalogue.ApiKey));
        Assert.Equal("token", reader.Text(SettingsCatalogue.AppApiToken));
        Assert.Equal(5101, reader.WholeNumber(SettingsCatalogue.AppPort, 5101));
        Assert.True(reader.IsSet(SettingsCatalogue.ApiKey));
        Assert.False(reader.IsSet(SettingsCatalogue.DaprApiToken));
    }

    [Fact]
    public void The_readme_configuration_table_is_the_catalogues()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        var match = ConfigurationTable().Match(readme);
        Assert.True(match.Success, "README.md has no table under '### Configuration'");
        var expected = SettingsCatalogue.MarkdownTable();
        Assert.True(expected == match.Groups["table"].Value,
            $"README.md's configuration table differs from SettingsCatalogue; replace it with:\n{expected}");
        foreach (var required in new[] { "TF_SERVING_INPUT_SIZE", "TF_SERVING_TIMEOUT_MS", "MAX_STREAMS", "INGEST_SCRATCH_DIR", "LOG_LEVEL" })
            Assert.Contains($"| `{required}` |", match.Groups["table"].Value, StringComparison.Ordinal);
    }

    /// <summary>What the manifests give each service is a variable the catalogue knows.</summary>
    [Fact]
    public void Every_variable_the_deployment_conventions_name_is_in_the_catalogue()
    {
        foreach (var app in Deployment.Conventions.Apps)
            Assert.All(app.Environment, name => Assert.True(SettingsCatalogue.Find(name) is not null, $"{app.Id}: {name}"));
    }

    /// <summary>No host reads configuration by name outside the catalogue's reader.</summary>
    [Fact]
    public void Services_read_configuration_only_through_the_reader()
    {
        var services = Path.Combine(RepoPaths.Root, "services");
        var offenders = Directory.EnumerateFiles(services, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(RepoPaths.Root, f), Line: i + 1, Text: line)))
            .Where(l => DirectRead().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "configuration read by name outside SettingsReader:\n" + string.Join('\n', offenders));
    }

    private static object? Read(SettingsReader reader, Setting setting) => setting switch
    {
        WholeNumberSetting n => reader.WholeNumber(n),
        NumberSetting n => reader.Number(n),
        SwitchSetting s => reader.Switch(s),
        ChoiceSetting c => reader.Choice(c),
        TextSetting t => reader.Text(t),
        ListSetting l => reader.List(l),
        UrlSetting u => reader.Url(u),
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting.Name, "unknown kind"),
    };

    [GeneratedRegex(@"### Configuration\n\n(?<table>(\|[^\n]*\|\n)+)")]
    private static partial Regex ConfigurationTable();

    // configuration["NAME"] / Configuration["NAME"] with an upper-case name, or GetEnvironmentVariable("NAME").
    // The host key "urls" (--urls) is ASP.NET Core's and not an environment variable.
    [GeneratedRegex(@"[cC]onfiguration\[""[A-Z][A-Z0-9_]*""\]|GetEnvironmentVariable\(""")]
    private static partial Regex DirectRead();
}
