using DaprVideo.DaprAdapters;
using DaprVideo.Inference;

// Inference (Dapr app id "inference"): subscribes "chunks", detects through TF Serving (TF_SERVING_URL),
// stores each annotated segment and its record through the object store binding, publishes "segments".
return await DistributedHost.RunAsync(args, InferenceModule.DefaultPort, InferenceApp.AddServices, InferenceApp.MapEndpoints);
