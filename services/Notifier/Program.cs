using DaprVideo.DaprAdapters;
using DaprVideo.Notifier;

// Notifier (Dapr app id "notifier"): subscribes "events" and sends each started and ended event to the output
// bindings NOTIFY_BINDINGS names (a webhook through bindings.http, MQTT through bindings.mqtt3, ...).
return await DistributedHost.RunAsync(args, NotifierSettings.DefaultPort, NotifierApp.AddServices, NotifierApp.MapEndpoints);
