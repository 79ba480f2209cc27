import Commands
import Foundation

exit(StarlingCLI.run(Array(CommandLine.arguments.dropFirst()), output: .standard()))
