using System.Globalization;
using DaprVideo.ServiceDefaults;
using DaprVideo.Settings;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace DaprVideo.DaprAdapters;

/// <summary>
/// How every distributed service starts: ServiceDefaults + the Dapr adapters, the module's own services,
/// Kestrel on <c>http://0.0.0.0:$APP_PORT</c>, then the sidecar middleware, default endpoints and the module's
/// endpoints. A bad setting ends the process with one line naming it (exit code 2).
/// </summary>
public static class DistributedHost
{
    /// <summary>Builds the host; <paramref name="configure"/> runs last on the builder (tests: loopback port, settings).</summary>
    public static WebApplication Build(
        string[] args, int defaultPort,
        Action<WebApplicationBuilder> addModule, Action<WebApplication> mapModule,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(addModule);
        ArgumentNullException.ThrowIfNull(mapModule);
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var settings = new SettingsReader(builder.Configuration);
        var port = settings.WholeNumber(SettingsCatalogue.AppPort, defaultPort);
        // "urls" is the host configuration key (--urls on the command line), not an environment variable.
        if (builder.Configuration["urls"] is null && !settings.IsSet(SettingsCatalogue.AspNetCoreUrls))
            builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://0.0.0.0:{port}"));
        builder.AddServiceDefaults();
        builder.AddDaprAdapters();
        addModule(builder);

        var app = builder.Build();
        app.UseDaprAdapters(PublicPaths);
        app.MapDefaultEndpoints();
        mapModule(app);
        return app;
    }

    /// <summary>Build and run until SIGTERM or Ctrl+C (then a graceful stop); configuration errors print one line and return 2.</summary>
    public static async Task<int> RunAsync(string[] args, int defaultPort, Action<WebApplicationBuilder> addModule, Action<WebApplication> mapModule)
    {
        WebApplication app;
        try
        {
            app = Build(args, defaultPort, addModule, mapModule);
        }
        catch (SettingsException e)
        {
            await Console.Error.WriteLineAsync($"{AppDomain.CurrentDomain.FriendlyName}: {e.Message.ReplaceLineEndings(" ")}");
            return 2;
        }
        await using (app)
            await app.RunUntilStoppedAsync();
        return 0;
    }

    /// <summary>What browsers and players reach directly (not through the sidecar): no app token on these.</summary>
    public static readonly Microsoft.AspNetCore.Http.PathString[] PublicPaths = ["/", "/streams", "/api/streams", "/viewer"];
}
