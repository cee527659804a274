package com.timestamps.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 between Payara and the database, so a test can take the
 * database away and bring it back: closed, it refuses new connections and resets open ones.
 * It starts closed.
 */
final class TcpProxy implements AutoCloseable {

    private final int port;
    private final InetSocketAddress upstream;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private ServerSocket server;

    TcpProxy(int port, InetSocketAddress upstream) {
        this.port = port;
        this.upstream = upstream;
    }

    synchronized void open() throws IOException {
        if (server != null) {
            return;
        }
        ServerSocket listening = new ServerSocket();
        listening.setReuseAddress(true);
        listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = listening;
        daemon("proxy-accept-" + port, () -> acceptLoop(listening));
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        for (Socket socket : sockets) {
            reset(socket);
        }
        sockets.clear();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket database = new Socket();
                try {
                    database.connect(upstream, 2_000);
                } catch (IOException e) {
                    reset(client);
                    continue;
                }
                synchronized (this) {
                    if (server != listening) {
                        reset(client);
                        reset(database);
                        return;
                    }
                    sockets.add(client);
                    sockets.add(database);
                }
                daemon("proxy-up-" + port, () -> pump(client, database));
                daemon("proxy-down-" + port, () -> pump(database, client));
            } catch (IOException e) {
                // closed while accepting: the loop ends
            }
        }
    }

    private void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side went away
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    /** Close with RST, as a crashed server or a cut link would look to the client. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // nothing left to do
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
