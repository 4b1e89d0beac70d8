using DaprVideo.Core.Inference;
using DaprVideo.Core.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DaprVideo.TfServing;

public static class TfServingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IObjectDetector"/> as a <see cref="FrameBatcher"/> (BATCH_SIZE, BATCH_TIMEOUT_MS)
    /// over a <see cref="TfServingObjectDetector"/>. Both are singletons, also resolvable by their own types.
    /// </summary>
    public static IServiceCollection AddTfServingDetector(this IServiceCollection services, TfServingOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new TfServingObjectDetector(
            options, sp.GetService<ILogger<TfServingObjectDetector>>(), sp.GetService<TimeProvider>()));
        services.AddSingleton(sp => new FrameBatcher(sp.GetRequiredService<TfServingObjectDetector>(), options.ToBatcherOptions()));
        services.AddSingleton<IObjectDetector>(sp => sp.GetRequiredService<FrameBatcher>());
        return services;
    }
}
