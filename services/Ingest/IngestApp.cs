using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;

namespace DaprVideo.Ingest;

/// <summary>
/// Dapr app "ingest": the Ingest module on the sidecar's object store and pub/sub. It subscribes to nothing;
/// running streams stay active in the registry at shutdown, for the next Ingest to resume.
/// </summary>
public static class IngestApp
{
    /// <summary>Reads the module's options from the host's settings (a bad value stops it here) and adds the module.</summary>
    public static void AddServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = IngestOptions.FromSettings(new SettingsReader(builder.Configuration)) with { ResumeStreams = true };
        builder.Services.AddIngest(options);
    }

    public static void MapEndpoints(WebApplication app) => app.MapIngest();
}
