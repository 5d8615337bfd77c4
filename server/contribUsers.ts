// The User classes of `locust.contrib` besides FastHttpUser: the module each is imported from, where its client lives, and our own reference text for what it offers.
import type { ApiEntry } from './locustReference';
import type { ClassNode, LocustfileFacts } from './locustfileModel';

export interface ContribUser {
  /** The module that defines the class: `from <module> import <Name>`. */
  module: string;
  help: ApiEntry;
  /** The attribute of the user that holds its client (`self.client`, SocketIOUser's `self.sio`). */
  clientAttribute: string;
  /** Methods of that client, in the order completion offers them. */
  clientMethods: Record<string, ApiEntry>;
  /** Methods of the User itself that record a request in the statistics (`self.search(...)`). */
  userMethods: Record<string, ApiEntry>;
  /** `on_stop` defined by Locust's class itself (closing its client): a class of the file inherits it. */
  closesOnStop?: true;
}

const RECORDED = 'Recorded in the statistics like a request';

export type ContribUserName = 'MqttUser' | 'SocketIOUser' | 'DNSUser' | 'MongoDBUser' | 'PostgresUser' | 'MilvusUser' | 'QdrantUser' | 'OpenAIUser';

/** Every contrib User class Locust's newest release defines, by class name. Each is abstract: the file subclasses it. */
export const CONTRIB_USERS: Record<ContribUserName, ContribUser> = {
  MqttUser: {
    module: 'locust.contrib.mqtt',
    help: {
      signature: 'class MqttUser(User)  # self.client: paho-mqtt client; host, port, transport, client_id, username, password',
      text: 'A simulated MQTT client (needs `paho-mqtt`). `self.client` publishes and subscribes; each publish and subscribe is recorded (type `MQTT`) once the broker acknowledges it. Set `host` and `port` of the broker on the class.',
    },
    clientAttribute: 'client',
    clientMethods: {
      publish: {
        signature: 'self.client.publish(topic, payload=None, qos=0, retain=False, properties=None)',
        text: `Publishes a message to a topic. ${RECORDED}, named after the topic and QoS, when the broker confirms it (or as a failure when sending fails).`,
      },
      subscribe: {
        signature: 'self.client.subscribe(topic, qos=0, options=None, properties=None)',
        text: `Subscribes to a topic (or a list of topics). ${RECORDED} when the broker acknowledges it; a QoS 0 subscription is recorded at once.`,
      },
      connect: {
        signature: 'self.client.connect(host, port=1883, keepalive=60)',
        text: 'paho-mqtt\'s own connect, usually called in `on_start` with the class\'s `host` and `port`; a lost connection is recorded as a failure.',
      },
      loop_start: {
        signature: 'self.client.loop_start()',
        text: 'Starts paho-mqtt\'s network loop, which delivers the acknowledgements that complete the recorded publishes and subscribes.',
      },
      disconnect: {
        signature: 'self.client.disconnect()',
        text: 'Closes the connection to the broker (usually in `on_stop`).',
      },
    },
    userMethods: {},
  },
  SocketIOUser: {
    module: 'locust.contrib.socketio',
    help: {
      signature: 'class SocketIOUser(User)  # self.sio: socketio.Client; options',
      text: 'A simulated Socket.IO client (needs `python-socketio`). Its client is `self.sio`, not `self.client`; `options` are passed to `socketio.Client`. Messages received are recorded through `on_message`, which a subclass may override.',
    },
    clientAttribute: 'sio',
    clientMethods: {
      connect: {
        signature: 'self.sio.connect(url, *args, **kwargs)',
        text: `Connects to a Socket.IO server. ${RECORDED} (type \`WS\`, name \`connect\`) with its duration.`,
      },
      emit: {
        signature: 'self.sio.emit(event, data=None, namespace=None, callback=None)',
        text: `Sends an event with its data. ${RECORDED} (type \`WSE\`, named after the event) with no duration: sending does not wait for an answer.`,
      },
      send: {
        signature: 'self.sio.send(data, namespace=None, callback=None, name="Unnamed")',
        text: `Sends a \`message\` event. ${RECORDED} (type \`WSS\`) under \`name\`, with no duration.`,
      },
      call: {
        signature: 'self.sio.call(event, data=None, *args, **kwargs)',
        text: `Sends an event and waits for the server's answer, which it returns. ${RECORDED} (type \`WSC\`) with the time the answer took.`,
      },
      on: {
        signature: 'self.sio.on(event, handler)',
        text: 'Registers a handler for an event; events without a handler of their own go to the user\'s `on_message`.',
      },
      disconnect: {
        signature: 'self.sio.disconnect()',
        text: 'Closes the connection (usually in `on_stop`).',
      },
    },
    userMethods: {},
  },
  DNSUser: {
    module: 'locust.contrib.dns',
    help: {
      signature: 'class DNSUser(User)  # self.client: dnspython\'s dns.query functions',
      text: 'A simulated DNS client (needs `dnspython`). `self.client.<f>(message, where, ...)` calls `dns.query.<f>` and records it; an answer without records counts as a failure.',
    },
    clientAttribute: 'client',
    clientMethods: Object.fromEntries(
      ['udp', 'tcp', 'udp_with_fallback', 'tls', 'https', 'quic'].map((query): [string, ApiEntry] => [
        query,
        {
          signature: `self.client.${query}(message, where, *args, name=None, **kwargs)`,
          text: `Sends a query built with \`dns.message.make_query\` the way \`dns.query.${query}\` does, to the server at \`where\`. ${RECORDED} (type \`DNS\`) under \`name\`, or \`${query}\` without one.`,
        },
      ]),
    ),
    userMethods: {},
  },
  MongoDBUser: {
    module: 'locust.contrib.mongodb',
    help: {
      signature: 'class MongoDBUser(User)  # conn_string, db_name; self.client: pymongo MongoClient',
      text: 'A simulated MongoDB client (needs `pymongo`). Set `conn_string` and `db_name` on the class; `self.client.execute_query(collection, query)` runs a find and records it.',
    },
    closesOnStop: true,
    clientAttribute: 'client',
    clientMethods: {
      execute_query: {
        signature: 'self.client.execute_query(collection_name, query)',
        text: `Runs \`find(query)\` on a collection of the database \`db_name\` and reads every document. ${RECORDED} (type \`MONGODB\`, name \`QUERY\`).`,
      },
      db: {
        signature: 'self.client.db  # pymongo Database',
        text: 'The database named by `db_name`, for operations that are not recorded.',
      },
    },
    userMethods: {},
  },
  PostgresUser: {
    module: 'locust.contrib.postgres',
    help: {
      signature: 'class PostgresUser(User)  # conn_string; self.client: a psycopg connection wrapper',
      text: 'A simulated PostgreSQL client (needs `psycopg`). Set `conn_string` on the class; `self.client.execute_query(sql)` runs a statement and records it.',
    },
    closesOnStop: true,
    clientAttribute: 'client',
    clientMethods: {
      execute_query: {
        signature: 'self.client.execute_query(query)',
        text: `Executes one SQL statement on the user's connection. ${RECORDED} (name \`execute_query\`); an error is recorded as a failure.`,
      },
      close: { signature: 'self.client.close()', text: 'Closes the connection; the user does it in `on_stop`.' },
    },
    userMethods: {},
  },
  MilvusUser: {
    module: 'locust.contrib.milvus',
    help: {
      signature: 'class MilvusUser(User)  # __init__(environment, uri, token, collection_name, db_name, timeout, schema, index_params)',
      text: 'A simulated Milvus vector-database client (needs `pymilvus`). A subclass passes the connection to `super().__init__`; the user\'s own methods (`self.search`, `self.insert`…) call the client and record each operation.',
    },
    closesOnStop: true,
    clientAttribute: 'client',
    clientMethods: {},
    userMethods: {
      insert: { signature: 'self.insert(data)', text: `Inserts rows into the collection. ${RECORDED} (name \`insert\`).` },
      upsert: { signature: 'self.upsert(data)', text: `Inserts or replaces rows. ${RECORDED} (name \`upsert\`).` },
      search: {
        signature: 'self.search(data, anns_field, limit, filter="", search_params=None, output_fields=None, calculate_recall=False, ground_truth=None)',
        text: `A vector search. ${RECORDED} (name \`search\`); with \`calculate_recall=True\` and \`ground_truth\`, the recall is recorded too, as a row named \`recall\`.`,
      },
      hybrid_search: { signature: 'self.hybrid_search(reqs, ranker, limit, output_fields=None)', text: `Several searches merged by a ranker. ${RECORDED} (name \`hybrid_search\`).` },
      query: { signature: 'self.query(filter, output_fields=None)', text: `Rows matching a filter expression. ${RECORDED} (name \`query\`).` },
      delete: { signature: 'self.delete(filter)', text: `Deletes the rows matching a filter. ${RECORDED} (name \`delete\`).` },
    },
  },
  QdrantUser: {
    module: 'locust.contrib.qdrant',
    help: {
      signature: 'class QdrantUser(User)  # url, api_key, collection_name, timeout, vectors_config, client_kwargs, collection_kwargs',
      text: 'A simulated Qdrant vector-database client (needs `qdrant-client`). Set `collection_name` (required) and `url` on the class; the user\'s own methods (`self.search`, `self.upsert`…) record each operation.',
    },
    closesOnStop: true,
    clientAttribute: 'client',
    clientMethods: {},
    userMethods: {
      upsert: { signature: 'self.upsert(points)', text: `Inserts or replaces points. ${RECORDED} (name \`upsert\`).` },
      search: { signature: 'self.search(query, limit=10, query_filter=None, search_params=None, with_payload=True)', text: `A vector search. ${RECORDED} (name \`search\`).` },
      scroll: { signature: 'self.scroll(scroll_filter=None, limit=10, with_payload=True)', text: `Pages through points matching a filter. ${RECORDED} (name \`scroll\`).` },
      delete: { signature: 'self.delete(points_selector)', text: `Deletes the selected points. ${RECORDED} (name \`delete\`).` },
    },
  },
  OpenAIUser: {
    module: 'locust.contrib.oai',
    help: {
      signature: 'class OpenAIUser(User)  # self.client: openai.OpenAI  (experimental)',
      text: 'A simulated OpenAI API client (needs `openai` and the `OPENAI_API_KEY` environment variable, without which the file cannot be imported). Every HTTP call the client makes is recorded, with the output tokens as the response length.',
    },
    clientAttribute: 'client',
    clientMethods: {
      responses: { signature: 'self.client.responses.create(model=..., input=...)', text: 'The OpenAI Responses API; each call is recorded under its URL path unless renamed.' },
      chat: { signature: 'self.client.chat.completions.create(model=..., messages=[...])', text: 'The Chat Completions API; each call is recorded under its URL path unless renamed.' },
      rename_request: {
        signature: 'with self.client.rename_request(name): ...',
        text: 'Records the calls made inside the `with` block under `name` instead of their URL path.',
      },
    },
    userMethods: {},
  },
};

export function isContribUser(name: string): name is ContribUserName {
  return Object.hasOwn(CONTRIB_USERS, name);
}

/** The contrib User classes a module defines (`from locust.contrib.mqtt import *`). */
export function contribUsersOf(module: string): ContribUserName[] {
  return (Object.keys(CONTRIB_USERS) as ContribUserName[]).filter((name) => CONTRIB_USERS[name].module === module);
}

/**
 * The contrib User class the class around `row` derives from (through classes of the file), if any. Code being typed may have
 * cut the class short in the tree: then the nearest class above the row is taken.
 */
export function contribUserAt(facts: LocustfileFacts, row: number): ContribUserName | undefined {
  let around: ClassNode | undefined;
  let above: ClassNode | undefined;
  for (const cls of facts.classes) {
    const start = cls.node.startPosition.row;
    if (start > row) continue;
    if (cls.node.endPosition.row >= row && (!around || start >= around.node.startPosition.row)) around = cls;
    if (!cls.nestedIn && (!above || start >= above.node.startPosition.row)) above = cls;
  }
  const cls = around ?? above;
  const kind = cls && facts.kinds.get(cls);
  return kind && isContribUser(kind) ? kind : undefined;
}
