using DaprVideo.Settings;
using Microsoft.Extensions.Logging;

namespace DaprVideo.ServiceDefaults;

/// <summary>
/// Which log lines every host shows, from LOG_LEVEL (default Information): our own categories (<c>DaprVideo.*</c>)
/// at that level, host lifecycle lines (<c>Microsoft.Hosting.Lifetime</c>) at Information, and everything else
/// (ASP.NET Core's per-request lines, HttpClient's per-call lines) only from Warning, unless LOG_LEVEL is Debug or
/// Trace. A viewer polls several times a second, and five lines per request would bury the lines that matter.
/// </summary>
public static class LogLevels
{
    /// <summary>Category prefix of our own loggers.</summary>
    public const string OwnCategory = "DaprVideo";

    public const string LifetimeCategory = "Microsoft.Hosting.Lifetime";

    /// <summary>LOG_LEVEL as a <see cref="LogLevel"/>.</summary>
    public static LogLevel Read(SettingsReader settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Enum.Parse<LogLevel>(settings.Choice(SettingsCatalogue.LogLevel));
    }

    /// <summary>The level of every other category: framework lines show only when debugging.</summary>
    public static LogLevel Framework(LogLevel own) => own <= LogLevel.Debug ? own : (LogLevel)Math.Max((int)own, (int)LogLevel.Warning);

    /// <summary>Applies the rule to <paramref name="logging"/> (replacing any minimum level set before).</summary>
    public static ILoggingBuilder AddDaprVideoLogLevels(this ILoggingBuilder logging, LogLevel own)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.SetMinimumLevel(Framework(own));
        logging.AddFilter(OwnCategory, own);
        logging.AddFilter(LifetimeCategory, LogLevel.Information);
        return logging;
    }
}
