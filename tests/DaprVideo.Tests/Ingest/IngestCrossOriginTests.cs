using DaprVideo.Ingest;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using Microsoft.Extensions.DependencyInjection;

namespace DaprVideo.Tests.Ingest;

/// <summary>The distributed Ingest host reads CORS_ALLOWED_ORIGINS like Playlist, so a player elsewhere may list the streams.</summary>
public sealed class IngestCrossOriginTests
{
    [Fact]
    public void The_ingest_module_registers_the_policy_read_from_the_catalogue()
    {
        using var scratch = new TempDirectory();
        var settings = new SettingsReader(n => n == SettingsCatalogue.CorsAllowedOrigins.Name ? "https://player.example" : null);
        var options = IngestOptions.FromSettings(settings, scratch.Path);

        using var provider = new ServiceCollection().AddLogging().AddIngest(options).BuildServiceProvider();

        var policy = provider.GetRequiredService<CrossOriginPolicy>();
        Assert.Equal("https://player.example", policy.AllowedOrigin("https://player.example"));
        Assert.Null(policy.AllowedOrigin("https://elsewhere.example"));
        Assert.False(IngestOptions.FromSettings(new SettingsReader(_ => null), scratch.Path).CrossOrigin.IsOn);
    }
}
